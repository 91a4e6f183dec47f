"""The whole-file checks of uploads (services.content, pdfs, images), without HTTP: each hostile
variant is refused with its own Chinese message naming ``file``; files made the way real ones
are (reportlab, pyHanko, Pillow) pass unchanged."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from shuzheng.core.errors import ValidationFailed
from shuzheng.files.services import content, images, pdfs
from shuzheng.files.tests import samples


def refusal(data: bytes) -> str:
    with pytest.raises(ValidationFailed) as caught:
        content.checked(data)
    assert [(e.field, e.message) for e in caught.value.errors] == [("file", caught.value.message)]
    return caught.value.message


# --- PDF --------------------------------------------------------------------------------------

GOOD_PDFS = {
    "minimal": lambda: samples.MINIMAL_PDF,
    "reportlab": lambda: samples.pdf(3),
    "reportlab, compressed pages": lambda: samples.pdf(3, compress=True),
    "pyHanko, xref table": lambda: samples.pyhanko_pdf(),
    "pyHanko, xref and object streams": lambda: samples.pyhanko_pdf(xref_stream=True, pages=4),
    "incremental update": lambda: samples.incremental_update(samples.pdf()),
    "PAdES signature": samples.signed_pdf,
    "link to a web page": lambda: samples.with_open_action(samples.uri_action("https://gov.cn/")),
}


@pytest.mark.parametrize("make", GOOD_PDFS.values(), ids=GOOD_PDFS.keys())
def test_well_formed_pdfs_pass_unchanged(make):
    data = make()
    assert content.checked(data) == ("application/pdf", data)


BAD_PDFS = {
    # the cases: the header, then something else
    "header + HTML": (lambda: b"%PDF-1.7\n" + samples.HTML, pdfs.BROKEN),
    "header + PE executable": (lambda: b"%PDF-1.7\n" + samples.pe_executable(), pdfs.BROKEN),
    "truncated": (lambda: samples.pdf(3)[:-300], pdfs.BROKEN),
    "cut inside the xref table": (lambda: samples.pdf()[:-120], pdfs.BROKEN),
    "no trailer and xref (the old test fixture)": (
        lambda: b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
        pdfs.BROKEN,
    ),
    # a whole PDF with something after %%EOF
    "HTML after %%EOF": (lambda: samples.pdf() + samples.HTML, pdfs.TRAILING),
    "PE after %%EOF": (lambda: samples.pdf() + samples.pe_executable(), pdfs.TRAILING),
    # ... or between its objects, the end copied so that it still reads as a PDF
    "HTML between objects": (
        lambda: samples.hidden_between_objects(samples.pdf(), samples.HTML),
        pdfs.FOREIGN,
    ),
    "PE between objects": (
        lambda: samples.hidden_between_objects(samples.pdf(), samples.pe_executable()),
        pdfs.FOREIGN,
    ),
    "HTML in a comment": (
        lambda: samples.hidden_between_objects(samples.pdf(), b"%" + samples.HTML),
        pdfs.FOREIGN,
    ),
    "an object no cross-reference lists": (
        lambda: samples.hidden_between_objects(
            samples.pdf(), b"9 0 obj<</S/JavaScript/JS(app.alert(1))>>endobj"
        ),
        pdfs.FOREIGN,
    ),
    "encrypted": (samples.encrypted_pdf, pdfs.ENCRYPTED),
    "JavaScript on open": (
        lambda: samples.with_open_action(samples.javascript_action()),
        pdfs.ACTIVE,
    ),
    "JavaScript inside an object stream": (
        lambda: samples.with_open_action(samples.javascript_action(), in_object_stream=True),
        pdfs.ACTIVE,
    ),
    "JavaScript added by an incremental update": (
        lambda: samples.incremental_update(samples.pdf(), samples.javascript_action()),
        pdfs.ACTIVE,
    ),
    "launch action": (lambda: samples.with_open_action(samples.launch_action()), pdfs.ACTIVE),
    "javascript: link": (
        lambda: samples.with_open_action(samples.uri_action(" JavaScript:alert(1)")),
        pdfs.ACTIVE,
    ),
    "embedded file": (samples.with_embedded_file, pdfs.ACTIVE),
    "no pages": (
        lambda: samples.MINIMAL_PDF.replace(b"/Count 1", b"/Count 0"),
        pdfs.NO_PAGES,
    ),
}


@pytest.mark.parametrize(("make", "message"), BAD_PDFS.values(), ids=BAD_PDFS.keys())
def test_hostile_or_broken_pdfs_are_refused(make, message):
    assert refusal(make()) == message


def test_a_name_spelt_with_escapes_is_still_found():
    assert samples.handmade_pdf() == samples.MINIMAL_PDF
    content.checked(samples.handmade_pdf(b"/Lang(zh-CN)"))
    # "/L#61unch" is "/Launch", "/J#53" is "/JS" (PDF name escapes)
    launch = samples.handmade_pdf(b"/OpenAction<</S/L#61unch/F(cmd.exe)>>")
    script = samples.handmade_pdf(b"/OpenAction<</S/JavaScript/J#53(app.alert(1))>>")
    assert b"/Launch" not in launch and b"/JS" not in script
    assert refusal(launch) == pdfs.ACTIVE
    assert refusal(script) == pdfs.ACTIVE


def test_the_object_budget_bounds_the_work(monkeypatch):
    in_streams = samples.pyhanko_pdf(xref_stream=True, pages=30)
    plain = samples.pdf(30)
    content.checked(in_streams)
    content.checked(plain)
    monkeypatch.setattr(pdfs, "MAX_OBJECTS", 20)
    assert refusal(in_streams) == pdfs.TOO_MANY
    assert refusal(plain) == pdfs.TOO_MANY


# --- images -----------------------------------------------------------------------------------


def _encoded(image: Image.Image, kind: str, **options: object) -> bytes:
    buf = io.BytesIO()
    image.save(buf, kind, **options)
    return buf.getvalue()


def _exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Camera"  # Make
    exif[0x0112] = 6  # Orientation: turned
    return exif.tobytes()


GOOD_IMAGES = {
    "PNG photo": (lambda: samples.png(), "image/png"),
    "PNG with alpha": (
        lambda: _encoded(samples.photo((200, 100)).convert("RGBA"), "PNG"),
        "image/png",
    ),
    "PNG palette": (lambda: _encoded(samples.photo().convert("P"), "PNG"), "image/png"),
    "PNG one bit": (lambda: _encoded(samples.photo().convert("1"), "PNG"), "image/png"),
    "JPEG photo": (lambda: samples.jpeg(), "image/jpeg"),
    "JPEG progressive": (lambda: samples.jpeg(progressive=True), "image/jpeg"),
    "JPEG greyscale": (lambda: _encoded(samples.photo().convert("L"), "JPEG"), "image/jpeg"),
    "JPEG CMYK": (lambda: _encoded(samples.photo().convert("CMYK"), "JPEG"), "image/jpeg"),
    "JPEG with EXIF": (
        lambda: _encoded(samples.photo(), "JPEG", exif=_exif()),
        "image/jpeg",
    ),
}


@pytest.mark.parametrize(("make", "ctype"), GOOD_IMAGES.values(), ids=GOOD_IMAGES.keys())
def test_well_formed_images_pass_unchanged(make, ctype):
    data = make()
    assert content.checked(data) == (ctype, data)


def test_a_png_decompression_bomb_is_refused_before_decoding():
    bomb = samples.png_bomb(20_000, 20_000)  # 400 million pixels in ~80 KB
    assert len(bomb) < 200_000
    assert refusal(bomb) == "图片像素过多（20000×20000，上限 4000 万像素），请缩小后上传。"


def test_a_jpeg_claiming_a_huge_frame_is_refused():
    assert (
        refusal(samples.jpeg_claiming(60_000, 50_000))
        == "图片像素过多（60000×50000，上限 8000 万像素），请缩小后上传。"
    )


def test_the_pixel_limits_are_the_ones_applied(monkeypatch):
    data = samples.png((300, 200))
    monkeypatch.setitem(images.MAX_PIXELS, "PNG", 300 * 200 - 1)
    assert refusal(data) == "图片像素过多（300×200，上限 5 万像素），请缩小后上传。"
    monkeypatch.setitem(images.MAX_PIXELS, "PNG", 300 * 200)
    assert content.checked(data)[0] == "image/png"


def _with_bad_crc(png: bytes) -> bytes:
    data = bytearray(png)
    data[40] ^= 0xFF  # inside IDAT (after the 33 bytes of signature and IHDR)
    return bytes(data)


BAD_IMAGES = {
    "PNG truncated": (lambda: samples.png()[:-100], images.BROKEN),
    "PNG with a bad checksum": (lambda: _with_bad_crc(samples.png()), images.BROKEN),
    "PNG + HTML after IEND": (lambda: samples.png() + samples.HTML, images.TRAILING),
    "PNG signature + HTML": (lambda: b"\x89PNG\r\n\x1a\n" + samples.HTML, images.BROKEN),
    "JPEG truncated": (lambda: samples.jpeg()[:-100], images.BROKEN),
    "JPEG signature + PE": (
        lambda: b"\xff\xd8\xff" + samples.pe_executable(),
        images.BROKEN,
    ),
    "JPEG signature + HTML": (lambda: b"\xff\xd8\xff\xe0" + samples.HTML, images.BROKEN),
}


@pytest.mark.parametrize(("make", "message"), BAD_IMAGES.values(), ids=BAD_IMAGES.keys())
def test_broken_or_hostile_images_are_refused(make, message):
    assert refusal(make()) == message


def test_what_follows_a_jpeg_is_cut_off_and_the_picture_kept():
    photo = samples.jpeg()
    for tail in (samples.HTML, samples.pe_executable(), samples.jpeg((32, 32))):  # MPF-like
        ctype, stored = content.checked(photo + tail)
        assert (ctype, stored) == ("image/jpeg", photo)


# --- neither ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", content.EMPTY),
        (b"x" * (content.MAX_BYTES + 1), content.TOO_LARGE),
        (samples.HTML, content.UNKNOWN),
        (samples.pe_executable(), content.UNKNOWN),
        (b"GIF89a" + bytes(20), content.UNKNOWN),
    ],
    ids=["empty", "too large", "HTML", "PE", "GIF"],
)
def test_anything_else_is_refused(data, message):
    assert refusal(data) == message
