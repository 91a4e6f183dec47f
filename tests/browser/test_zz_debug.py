import pytest
pytestmark = pytest.mark.browser

def test_dbg(site, new_context):
    page = new_context().new_page()
    r = page.request.get(f"{site}/static/css/shuzheng.css")
    print(r.status, r.headers, r.text()[:200])
    r = page.request.get(f"{site}/static/vendor/htmx.min.js")
    print(r.status, r.headers, r.text()[:100])
