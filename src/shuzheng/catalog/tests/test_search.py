"""Chinese search over the catalog (shuzheng.catalog.search): pure Python, no database."""

from __future__ import annotations

import pytest

from shuzheng.catalog import search
from shuzheng.catalog.search import (
    Hit,
    SearchDoc,
    SearchIndex,
    docs_from_catalog,
    load_synonyms,
    normalize,
)

MZJ = "肇庆市民政局"
GAJ = "肇庆市公安局"
WJJ = "肇庆市卫生健康局"
YBJ = "肇庆市医疗保障局"
RSJ = "肇庆市人力资源和社会保障局"
SCJ = "肇庆市市场监督管理局"
JYJ = "肇庆市教育局"

ID_CARD = "居民身份证"
HUKOU = "居民户口簿"


def _doc(
    code: str,
    name: str,
    department: str,
    themes: tuple[str, ...],
    *,
    kind: str = "item",
    aliases: tuple[str, ...] = (),
    conditions: str = "",
    materials: tuple[str, ...] = (),
    applicant_types: tuple[str, ...] = ("person",),
    online: bool = False,
    extra: str = "",
) -> SearchDoc:
    return SearchDoc(
        code=code,
        kind=kind,
        name=name,
        aliases=aliases,
        conditions=conditions,
        materials=materials,
        department=department,
        themes=themes,
        applicant_types=applicant_types,
        online=online,
        extra=extra,
    )


DOCS = [
    _doc(
        "marriage",
        "结婚登记",
        MZJ,
        ("婚姻",),
        aliases=("登记结婚",),
        conditions="内地居民结婚，男女双方应当共同到一方当事人常住户口所在地的婚姻登记机关申请结婚登记；"
        "双方均无配偶，达到法定婚龄。",
        materials=(
            HUKOU,
            ID_CARD,
            "本人无配偶以及与对方当事人没有直系血亲和三代以内旁系血亲关系的签字声明",
            "近期半身免冠合影照片",
        ),
        extra="结婚证",
    ),
    _doc(
        "divorce",
        "离婚登记",
        MZJ,
        ("婚姻",),
        conditions="男女双方自愿离婚，对子女抚养、财产及债务处理等事项协商一致的，共同到婚姻登记机关申请离婚登记。",
        materials=(HUKOU, ID_CARD, "结婚证", "双方当事人共同签署的离婚协议书"),
        extra="离婚证",
    ),
    _doc(
        "marriage-reissue",
        "补领结婚证",
        MZJ,
        ("婚姻",),
        aliases=("结婚证遗失补办",),
        conditions="结婚证遗失或者损毁的，当事人可以持户口簿、身份证向原办理婚姻登记的机关申请补领。",
        materials=(HUKOU, ID_CARD, "近期半身免冠照片"),
        online=True,
        extra="结婚证",
    ),
    _doc(
        "birth-hukou",
        "出生登记",
        GAJ,
        ("户籍", "生育"),
        aliases=("新生儿入户", "新生儿落户"),
        conditions="婴儿出生后一个月以内，由户主、亲属、抚养人或者邻居向婴儿常住地户口登记机关申报出生登记。",
        materials=("出生医学证明", "父母的居民户口簿", "父母的结婚证"),
        online=True,
        extra="居民户口簿",
    ),
    _doc(
        "birth-cert",
        "出生医学证明首次签发",
        WJJ,
        ("生育",),
        conditions="在本市助产机构内出生的新生儿，由出生医院签发出生医学证明。",
        materials=("新生儿父母的居民身份证", "出生医学证明首次签发登记表"),
        extra="出生医学证明",
    ),
    _doc(
        "birth-cert-reissue",
        "出生医学证明补发",
        WJJ,
        ("生育",),
        conditions="出生医学证明遗失的，可向原签发机构申请补发出生医学证明。",
        materials=("新生儿父母的居民身份证", "出生医学证明遗失声明"),
        extra="出生医学证明",
    ),
    _doc(
        "maternity",
        "生育津贴申领",
        YBJ,
        ("生育", "社保"),
        conditions="参加职工基本医疗保险（含生育保险）的在职职工，符合规定条件生育或实施计划生育手术的，可申领生育津贴。",
        materials=(ID_CARD, "出生医学证明", "医疗机构出具的诊断证明"),
        online=True,
    ),
    _doc(
        "YJS-newborn",
        "新生儿出生一件事",
        WJJ,
        ("生育", "户籍"),
        kind="bundle",
        conditions="新生儿出生后，父母一次申请即可办理出生医学证明、户口登记、医保参保和社会保障卡。",
        online=True,
        extra="出生医学证明首次签发；出生登记；城乡居民基本医疗保险参保登记；社会保障卡申领",
    ),
    _doc(
        "food-license",
        "食品经营许可",
        SCJ,
        ("开办", "经营"),
        aliases=("食品经营许可证",),
        conditions="从事食品销售和餐饮服务活动，应当依法取得食品经营许可。",
        materials=("食品经营许可申请书", "营业执照复印件", "食品安全管理制度", "经营场所平面图"),
        applicant_types=("enterprise",),
        online=True,
        extra="食品经营许可证",
    ),
    _doc(
        "public-hygiene",
        "公共场所卫生许可",
        WJJ,
        ("开办",),
        conditions="宾馆、美容美发场所、游泳场所等公共场所经营者应当取得公共场所卫生许可证。",
        materials=("卫生许可证申请表", "营业执照", "公共场所卫生检测报告"),
        applicant_types=("enterprise",),
        online=True,
        extra="公共场所卫生许可证",
    ),
    _doc(
        "YJS-restaurant",
        "开办餐饮店一件事",
        SCJ,
        ("开办",),
        kind="bundle",
        conditions="开办餐饮店，一次提交材料，同时办理营业执照、食品经营许可、公共场所卫生许可等。",
        applicant_types=("enterprise",),
        online=True,
        extra="企业设立登记；食品经营许可；公共场所卫生许可；城镇污水排入排水管网许可",
    ),
    _doc(
        "company-setup",
        "企业设立登记",
        SCJ,
        ("开办",),
        aliases=("营业执照办理",),
        conditions="申请人应当提交设立登记申请书、章程、住所使用证明等材料。",
        materials=("公司登记（备案）申请书", "公司章程", "股东主体资格文件", "住所使用相关文件"),
        applicant_types=("enterprise",),
        online=True,
        extra="营业执照",
    ),
    _doc(
        "company-rename",
        "企业名称变更登记",
        SCJ,
        ("变更",),
        conditions="企业变更名称的，应当自作出变更决议之日起30日内申请变更登记。",
        materials=("公司变更登记申请书", "股东会决议", "营业执照正、副本"),
        applicant_types=("enterprise",),
        online=True,
        extra="营业执照",
    ),
    _doc(
        "company-close",
        "企业注销登记",
        SCJ,
        ("注销",),
        aliases=("公司注销",),
        conditions="公司解散，依法清算完毕后，清算组应当申请注销登记。",
        materials=("注销登记申请书", "清算报告", "营业执照正、副本"),
        applicant_types=("enterprise",),
        online=True,
    ),
    _doc(
        "pension",
        "城乡居民基本养老保险待遇申领",
        RSJ,
        ("养老", "社保"),
        aliases=("领取养老金",),
        conditions="年满60周岁、累计缴费满15年，且未领取国家规定的基本养老保障待遇的参保人。",
        materials=(ID_CARD, "社会保障卡"),
        online=True,
        extra="养老金发放",
    ),
    _doc(
        "elderly-allowance",
        "高龄津贴申领",
        MZJ,
        ("养老",),
        aliases=("长寿保健金",),
        conditions="具有本市户籍、年满80周岁的老年人。",
        materials=(ID_CARD, HUKOU, "本人银行账户"),
        online=True,
    ),
    _doc(
        "id-reissue",
        "居民身份证补领",
        GAJ,
        ("户籍",),
        aliases=("身份证挂失补办",),
        conditions="居民身份证丢失的，应当向常住户口所在地公安机关户籍部门申请补领。",
        materials=(HUKOU, "近期免冠照片"),
    ),
    _doc(
        "school",
        "义务教育阶段学校入学报名",
        JYJ,
        ("教育",),
        aliases=("小学一年级招生报名", "初中一年级招生报名"),
        conditions="适龄儿童少年由监护人在规定时间内网上报名。",
        materials=(HUKOU, "不动产权证书或租赁合同"),
        online=True,
    ),
]
BY_CODE = {d.code: d for d in DOCS}

_INDEX: SearchIndex | None = None


@pytest.fixture(autouse=True, scope="module")
def _fresh_dictionary():
    """Indexes built by other test modules add words to the tokenizer: start from jieba's own."""
    global _INDEX
    search.reset_dictionary()
    _INDEX = None


def index() -> SearchIndex:
    global _INDEX
    if _INDEX is None:
        _INDEX = SearchIndex(DOCS)
    return _INDEX


def codes(q: str, **kwargs: object) -> list[str]:
    return [h.code for h in index().search(q, **kwargs)]  # type: ignore[arg-type]


def rank(q: str, code: str) -> int:
    found = codes(q, limit=100)
    return found.index(code) if code in found else 999


# --- ranking -----------------------------------------------------------------------------------


def test_marriage_ranks_the_registration_first():
    found = codes("结婚")
    assert found[0] == "marriage"
    # 离婚登记 merely lists 结婚证 as a material: it comes after both marriage items.
    assert rank("结婚", "divorce") > rank("结婚", "marriage-reissue") > 0


def test_hits_are_sorted_and_limited():
    hits = index().search("登记", limit=3)
    assert len(hits) == 3
    assert all(isinstance(h, Hit) for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert hits[0].kind == BY_CODE[hits[0].code].kind


def test_colloquial_restaurant_finds_the_bundle():
    assert "YJS-restaurant" in codes("开饭店")[:3]
    assert "YJS-restaurant" in codes("我想开个饭店要办什么手续")[:3]


def test_colloquial_baby_finds_the_newborn_bundle():
    assert "YJS-newborn" in codes("生孩子")[:3]
    assert "YJS-newborn" in codes("生孩子了要办什么")[:3]


def test_colloquial_everyday_words():
    assert codes("退休了怎么领养老金")[0] == "pension"
    assert codes("老人补贴")[0] == "elderly-allowance"
    assert codes("身份证丢了")[0] == "id-reissue"
    assert codes("孩子上小学怎么报名")[0] == "school"
    assert codes("公司不开了")[0] == "company-close"


def test_principal_item_before_its_reissue_unless_asked():
    found = codes("出生医学证明")
    assert found.index("birth-cert") < found.index("birth-cert-reissue")
    assert codes("出生医学证明丢了")[0] == "birth-cert-reissue"
    assert codes("补办出生医学证明")[0] == "birth-cert-reissue"


def test_documents_matching_more_of_the_query_rank_higher():
    # 营业执照 alone would favour 企业设立登记 (its result); 变更 and 名称 decide.
    assert codes("营业执照变更名称")[0] == "company-rename"
    assert codes("公司改名字")[0] == "company-rename"


def test_stop_words_do_not_swamp_the_query():
    assert codes("我想要办结婚登记需要什么材料")[0] == "marriage"
    assert codes("请问离婚去哪里办")[0] == "divorce"
    # only stop words: nothing to look for
    assert codes("我想要怎么办") == []


def test_pinyin_full_and_initials():
    assert codes("jiehun")[0] == "marriage"
    assert codes("jiehundengji")[0] == "marriage"
    assert codes("jie hun deng ji")[0] == "marriage"
    assert codes("jhdj")[0] == "marriage"
    assert codes("gaolingjintie")[0] == "elderly-allowance"
    assert "elderly-allowance" in codes("gljt")[:1]
    assert codes("xinshenger")[0] == "YJS-newborn"


def test_traditional_and_full_width_input():
    assert normalize("結婚登記") == "结婚登记"
    assert normalize("ＪＨＤＪ　１２３") == "jhdj 123"
    assert codes("結婚登記")[0] == "marriage"
    assert codes("開辦餐飲店")[0] == "YJS-restaurant"
    assert codes("ｊｈｄｊ")[0] == "marriage"


def test_typos_are_tolerated_through_bigrams_and_sound():
    assert codes("结婚登计")[0] == "marriage"  # wrong character
    assert codes("高龄津帖")[0] == "elderly-allowance"
    assert codes("食品经营许")[0] == "food-license"  # cut short
    assert codes("结昏登记")[0] == "marriage"  # homophone typed through a pinyin IME


def test_unknown_words_find_nothing():
    assert codes("量子计算机") == []
    assert codes("zzzq") == []


# --- filters -----------------------------------------------------------------------------------


def test_department_filter():
    found = codes("登记", department=MZJ, limit=50)
    assert found and set(found) <= {d.code for d in DOCS if d.department == MZJ}
    assert "marriage" in found
    assert codes("登记", department="不存在的部门") == []


def test_applicant_type_filter():
    found = codes("许可", applicant_type="enterprise", limit=50)
    assert found
    assert all("enterprise" in BY_CODE[c].applicant_types for c in found)
    assert codes("结婚", applicant_type="enterprise") == []


def test_theme_filter():
    found = codes("登记", theme="婚姻", limit=50)
    assert set(found) <= {"marriage", "divorce", "marriage-reissue"}
    assert found[0] == "marriage"


def test_online_only_filter():
    found = codes("结婚", online_only=True, limit=50)
    assert "marriage" not in found
    assert found[0] == "marriage-reissue"
    assert all(BY_CODE[c].online for c in found)


def test_blank_query_lists_filtered_docs_by_name():
    found = codes("", theme="婚姻", limit=50)
    assert set(found) == {"marriage", "divorce", "marriage-reissue"}
    # name order (pinyin): 补领结婚证 bu…, 结婚登记 jie…, 离婚登记 li…
    assert found == ["marriage-reissue", "marriage", "divorce"]
    assert all(h.score == 0 for h in index().search("   ", theme="婚姻"))
    everything = codes("", limit=100)
    assert sorted(everything) == sorted(d.code for d in DOCS)
    assert len(codes("")) == len(DOCS)  # fewer than the default limit
    assert codes(" ", applicant_type="enterprise", online_only=True, limit=100) == [
        c
        for c in everything
        if c in {d.code for d in DOCS if d.online and "enterprise" in d.applicant_types}
    ]


# --- synonyms, adapter, speed ------------------------------------------------------------------


def test_shipped_synonyms_are_many_everyday_expressions():
    synonyms = load_synonyms()
    assert len(synonyms) >= 60
    for key in ("开饭店", "生孩子", "退休了", "营业执照", "老人补贴", "上户口", "扯证"):
        assert synonyms[key]
    assert all(isinstance(v, list) and v for v in synonyms.values())


def test_custom_synonyms_replace_the_shipped_list():
    idx = SearchIndex(DOCS, synonyms={"_comment": "ignored", "扯证": ["结婚登记"]})
    assert idx.search("扯证")[0].code == "marriage"
    assert idx.search("开饭店") == [] or idx.search("开饭店")[0].code != "YJS-restaurant"
    assert SearchIndex(DOCS, synonyms={}).search("扯证") == []


def test_docs_from_catalog_adapter():
    item = {
        "basic_code": "0700001000",
        "region_code": "441200",
        "exercise_level": 3,
        "name": "结婚登记",
        "aliases": ["登记结婚"],
        "department": "441200-MZJ",
        "conditions": "男女双方自愿。",
        "applicant_types": ["person"],
        "themes": ["婚姻"],
        "channels": ["window"],
        "online_depth": 2,
        "result": {"name": "结婚证", "kind": "license", "license_type": "结婚证"},
        "materials": [{"code": "M1", "name": ID_CARD}],
        "situations": [{"code": "S1", "name": "涉外婚姻"}],
    }
    online_item = dict(
        item,
        basic_code="0700002000",
        name="补领结婚证",
        channels=["online", "window"],
        online_depth=4,
    )
    online_item["implementation_code"] = None
    bundle = {
        "code": "YJS441200001",
        "name": "婚育一件事",
        "description": "结婚和生育一次办。",
        "themes": ["婚姻"],
        "applicant_types": ["person"],
        "lead_department": "441200-MZJ",
        "items": ["44120030700001000000X"],
    }
    docs = docs_from_catalog(
        {"items": [item, online_item], "bundles": [bundle]}, {"441200-MZJ": MZJ}
    )
    assert [d.kind for d in docs] == ["item", "item", "bundle"]
    first = docs[0]
    assert first.code == "44120030700001000000X"
    assert first.department == MZJ
    assert first.materials == (ID_CARD,)
    assert "结婚证" in first.extra and "涉外婚姻" in first.extra
    assert first.online is False and docs[1].online is True
    assert docs[2].code == "YJS441200001" and docs[2].extra == "结婚登记"
    assert docs[2].online is False  # its one member is window-only
    assert SearchIndex(docs).search("jhdj")[0].code == first.code


def test_many_regional_variants_keep_their_own_names_first():
    # Speed is measured by bench/catalog_search, never by timed unit tests.
    regions = ["广州市", "深圳市", "佛山市", "江门市", "云浮市"]
    many = [
        SearchDoc(
            code=f"{d.code}-{n}",
            kind=d.kind,
            name=d.name,
            aliases=d.aliases,
            conditions=d.conditions,
            materials=d.materials,
            department=d.department.replace("肇庆市", region),
            themes=d.themes,
            applicant_types=d.applicant_types,
            online=d.online,
            extra=d.extra,
        )
        for n, region in enumerate(regions)
        for d in DOCS
    ]
    idx = SearchIndex(many)
    top = idx.search("佛山市结婚登记")[0]
    assert top.code == "marriage-2"
    top3 = [h.code for h in idx.search("结婚", limit=5)]
    assert sorted(top3) == [f"marriage-{n}" for n in range(5)]
    assert idx.search("结婚", department="深圳市民政局")[0].code == "marriage-1"
