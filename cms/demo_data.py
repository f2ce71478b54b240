"""The demo data, drawn from the Pengshan action plan (../shared/seed/): its departments, the
services it names, and agencies and owners of the kind found in Meishan and nearby."""

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path

from accounts.models import Role
from catalogue.models import FeeMode
from catalogue.models import RegionalAssessmentKind as RA
from core.models import Region
from market.models import Project

DEMO_PASSWORD = "Demo@2026-zjcs"  # noqa: S105 — printed on purpose: it is the demo's login
# The demo's one authenticator secret, for the logins that must give a second factor
# (regulator, approval department, administrator): RFC 6238's test key, in hex as django-otp
# keeps it. Its base32 form, GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ, is in the README.
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"

REGULATORS = [
    "区行政审批局",
    "区市场监管局",
]
APPROVAL_DEPARTMENTS = [
    "区发展改革局",
    "区住建局",
    "区自然资源和规划局",
    "彭山生态环境局",
    "区水利局",
    "区应急管理局",
    "区交通运输局",
    "区经信局",
]

# code, name, department, related approval item, legal basis, working days, fee mode,
# fee basis, regional-assessment kind, owner may prepare it, summary
SERVICE_ITEMS = [
    (
        "PS-ZJ-001",
        "环境影响评价文件编制",
        "彭山生态环境局",
        "建设项目环境影响评价文件审批",
        "《中华人民共和国环境影响评价法》第十六条、第十九条、第二十二条",
        30,
        FeeMode.MARKET,
        "实行市场调节价，平台公布参考价区间",
        RA.ENVIRONMENTAL_IMPACT,
        False,
        "编制建设项目环境影响报告书或报告表，分析预测项目对环境的影响并提出防治措施。",
    ),
    (
        "PS-ZJ-002",
        "固定资产投资项目节能报告编制",
        "区发展改革局",
        "固定资产投资项目节能审查",
        "《中华人民共和国节约能源法》第十五条；《固定资产投资项目节能审查办法》",
        20,
        FeeMode.MARKET,
        "实行市场调节价，平台公布参考价区间",
        RA.ENERGY_SAVING,
        True,
        "对项目用能的合理性、能效水平和节能措施进行评价，形成节能报告（节能评价）。",
    ),
    (
        "PS-ZJ-003",
        "地震安全性评价",
        "区应急管理局",
        "建设工程地震安全性评价结果的审定及抗震设防要求的确定",
        "《中华人民共和国防震减灾法》第三十五条；《地震安全性评价管理条例》",
        45,
        FeeMode.MARKET,
        "实行市场调节价",
        RA.SEISMIC_SAFETY,
        False,
        "对重大建设工程场址进行地震危险性分析，提出抗震设防要求。",
    ),
    (
        "PS-ZJ-004",
        "地质灾害危险性评估",
        "区自然资源和规划局",
        "建设用地预审与选址意见书核发",
        "《地质灾害防治条例》第二十一条",
        30,
        FeeMode.MARKET,
        "实行市场调节价，平台公布参考价区间",
        RA.GEOLOGICAL_HAZARD,
        False,
        "评估建设场地遭受和引发地质灾害的可能性，提出防治措施。",
    ),
    (
        "PS-ZJ-005",
        "水土保持方案编制",
        "区水利局",
        "生产建设项目水土保持方案审批",
        "《中华人民共和国水土保持法》第二十五条",
        30,
        FeeMode.MARKET,
        "实行市场调节价",
        RA.SOIL_WATER_CONSERVATION,
        True,
        "编制生产建设项目水土保持方案报告书或报告表。",
    ),
    (
        "PS-ZJ-006",
        "防洪影响评价报告编制",
        "区水利局",
        "洪水影响评价类审批",
        "《中华人民共和国防洪法》第十七条、第二十七条、第三十三条",
        30,
        FeeMode.MARKET,
        "实行市场调节价",
        RA.FLOOD_IMPACT,
        False,
        "评价建设项目对防洪的影响和洪水对项目的影响，提出防治与补救措施。",
    ),
    (
        "PS-ZJ-007",
        "工程造价咨询（施工图预算编制）",
        "区住建局",
        "建筑工程施工许可证核发",
        "《建筑工程施工发包与承包计价管理办法》第六条",
        15,
        FeeMode.MARKET,
        "实行市场调节价，平台公布参考价区间",
        "",
        False,
        "编制施工图预算、工程量清单及招标控制价。",
    ),
    (
        "PS-ZJ-008",
        "施工图设计文件审查",
        "区住建局",
        "建筑工程施工许可证核发",
        "《建设工程质量管理条例》第十一条；《房屋建筑和市政基础设施工程施工图设计文件审查管理办法》",
        15,
        FeeMode.GOVERNMENT_SET,
        "由审批部门通过政府购买服务委托审查，费用纳入部门预算，业主不付费",
        "",
        False,
        "对施工图涉及公共利益、公众安全和工程建设强制性标准的内容进行审查。",
    ),
    (
        "PS-ZJ-009",
        "岩土工程勘察",
        "区住建局",
        "施工图设计文件审查",
        "《建设工程勘察设计管理条例》第五条、第八条",
        20,
        FeeMode.MARKET,
        "实行市场调节价",
        "",
        False,
        "查明建设场地的工程地质条件，提交岩土工程勘察报告。",
    ),
    (
        "PS-ZJ-010",
        "建设工程规划放线测量",
        "区自然资源和规划局",
        "建设工程规划许可证核发",
        "《中华人民共和国测绘法》第二十七条；《中华人民共和国城乡规划法》第四十条",
        7,
        FeeMode.GOVERNMENT_GUIDANCE,
        "《测绘生产成本费用定额》，政府指导价上限",
        "",
        False,
        "依据规划许可对建筑物位置进行放线测量并出具成果报告。",
    ),
    (
        "PS-ZJ-011",
        "房产测绘（不动产测绘）",
        "区自然资源和规划局",
        "不动产登记",
        "《中华人民共和国测绘法》第三十一条；《房产测绘管理办法》",
        10,
        FeeMode.GOVERNMENT_GUIDANCE,
        "四川省房产测绘收费标准，政府指导价上限",
        "",
        False,
        "测算房屋面积，出具房产测绘成果报告。",
    ),
    (
        "PS-ZJ-012",
        "建设项目用地勘测定界",
        "区自然资源和规划局",
        "建设用地审批",
        "《中华人民共和国土地管理法实施条例》第二十四条",
        10,
        FeeMode.MARKET,
        "实行市场调节价",
        "",
        False,
        "实地界定建设项目用地范围，编制勘测定界报告和图件。",
    ),
    (
        "PS-ZJ-013",
        "规划核实测量（竣工测量）",
        "区自然资源和规划局",
        "建设工程规划条件核实",
        "《中华人民共和国城乡规划法》第四十五条",
        7,
        FeeMode.MARKET,
        "实行市场调节价",
        "",
        False,
        "对竣工建筑物的位置、高度、面积等进行测量，供规划核实使用。",
    ),
    (
        "PS-ZJ-014",
        "危险化学品建设项目安全评价",
        "区应急管理局",
        "危险化学品建设项目安全条件审查",
        "《中华人民共和国安全生产法》第三十二条；《危险化学品安全管理条例》第十二条",
        30,
        FeeMode.MARKET,
        "实行市场调节价",
        "",
        False,
        "对项目的安全条件和安全设施进行评价，出具安全评价报告。",
    ),
    (
        "PS-ZJ-015",
        "建设项目安全设施竣工验收评价",
        "区应急管理局",
        "建设项目安全设施竣工验收",
        "《中华人民共和国安全生产法》第三十四条",
        20,
        FeeMode.MARKET,
        "实行市场调节价",
        "",
        False,
        "对建设项目安全设施的施工质量和运行情况进行验收评价。",
    ),
    (
        "PS-ZJ-016",
        "涉路工程安全技术评价",
        "区交通运输局",
        "涉路施工许可",
        "《中华人民共和国公路法》第四十四条、第四十五条；《公路安全保护条例》第二十七条",
        20,
        FeeMode.MARKET,
        "实行市场调节价",
        "",
        False,
        "评价跨越、穿越、占用公路的工程对公路安全的影响。",
    ),
    (
        "PS-ZJ-017",
        "建设项目水资源论证报告编制",
        "区水利局",
        "取水许可",
        "《取水许可和水资源费征收管理条例》第十一条",
        30,
        FeeMode.MARKET,
        "实行市场调节价",
        "",
        True,
        "论证取水的合理性、可靠性及对水资源和其他用水户的影响。",
    ),
    (
        "PS-ZJ-018",
        "入河排污口设置论证",
        "彭山生态环境局",
        "入河排污口设置审批",
        "《中华人民共和国水法》第三十四条；《入河排污口监督管理办法》",
        30,
        FeeMode.MARKET,
        "实行市场调节价",
        "",
        False,
        "论证入河排污口设置对水功能区、水生态和第三方权益的影响。",
    ),
    (
        "PS-ZJ-019",
        "社会稳定风险评估",
        "区发展改革局",
        "企业投资项目核准",
        "《国家发展改革委重大固定资产投资项目社会稳定风险评估暂行办法》第四条",
        20,
        FeeMode.MARKET,
        "实行市场调节价",
        "",
        True,
        "识别项目可能引发的社会稳定风险并提出防范化解措施。",
    ),
    (
        "PS-ZJ-020",
        "项目申请报告编制",
        "区发展改革局",
        "企业投资项目核准",
        "《企业投资项目核准和备案管理条例》第七条",
        15,
        FeeMode.MARKET,
        "实行市场调节价",
        "",
        True,
        "按核准要求编制项目申请报告；项目单位也可自行编制。",
    ),
    (
        "PS-ZJ-021",
        "建设工程消防设施检测",
        "区住建局",
        "建设工程消防验收",
        "《中华人民共和国消防法》第十三条；《建设工程消防设计审查验收管理暂行规定》",
        10,
        FeeMode.MARKET,
        "实行市场调节价，平台公布参考价区间",
        "",
        False,
        "对建筑消防设施进行检测并出具检测报告。",
    ),
    (
        "PS-ZJ-022",
        "工业项目节能监察技术服务",
        "区经信局",
        "工业固定资产投资项目备案",
        "《中华人民共和国节约能源法》第十二条",
        15,
        FeeMode.MARKET,
        "实行市场调节价",
        "",
        False,
        "对工业企业能源利用状况进行检测分析，出具技术报告。",
    ),
]

# Agencies: (name, region, contact). Their credit codes are derived, with a valid check character.
AGENCIES = [
    ("四川省川环环境工程咨询有限公司", "成都市武侯区", "刘晓峰"),
    ("眉山市蓝天环保科技有限公司", "眉山市东坡区", "王敏"),
    ("四川中明环境治理有限公司", "成都市青羊区", "陈志强"),
    ("四川省众望安全环保技术咨询有限公司", "成都市金牛区", "张丽"),
    ("眉山市彭祖环境监测有限公司", "眉山市彭山区", "李建国"),
    ("四川恒鑫节能技术服务有限公司", "成都市锦江区", "赵磊"),
    ("四川省能源投资咨询有限公司", "成都市高新区", "周婷"),
    ("四川赛思特地震工程技术有限公司", "成都市武侯区", "吴涛"),
    ("四川省地震工程研究院有限公司", "成都市成华区", "孙海燕"),
    ("四川省华地建设工程有限责任公司", "成都市武侯区", "马骏"),
    ("四川省蜀通岩土工程公司", "成都市金牛区", "郑宏"),
    ("眉山市岷江地质勘查有限公司", "眉山市东坡区", "黄静"),
    ("四川省水利水电勘测设计研究院有限公司", "成都市青羊区", "杨帆"),
    ("四川绿水青山水保科技有限公司", "成都市双流区", "何洋"),
    ("眉山市水利规划设计有限公司", "眉山市东坡区", "罗丹"),
    ("四川同兴达建设咨询有限公司", "成都市锦江区", "高峰"),
    ("四川华信工程造价咨询事务所有限责任公司", "成都市武侯区", "林娜"),
    ("眉山市正信工程造价咨询有限公司", "眉山市彭山区", "谢军"),
    ("四川省建筑设计研究院有限公司施工图审查中心", "成都市金牛区", "韩雪"),
    ("四川精诚施工图审查有限公司", "成都市武侯区", "唐亮"),
    ("眉山市天正测绘有限公司", "眉山市东坡区", "冯超"),
    ("四川金图测绘地理信息有限公司", "成都市高新区", "曹颖"),
    ("眉山市彭山区鑫源测绘有限公司", "眉山市彭山区", "邓斌"),
    ("四川省第三测绘工程院有限公司", "成都市成华区", "许文"),
    ("四川安科安全技术咨询有限公司", "成都市青羊区", "袁鹏"),
    ("四川省安全科学技术研究院有限公司", "成都市武侯区", "蒋红"),
    ("四川路安交通工程咨询有限公司", "成都市武侯区", "沈刚"),
    ("四川蜀道交通技术评价有限公司", "成都市高新区", "彭莉"),
    ("四川众智社会风险评估咨询有限公司", "成都市锦江区", "吕辉"),
    ("眉山市东坡工程咨询有限公司", "眉山市东坡区", "苏芳"),
    ("四川消安达消防检测有限公司", "成都市金牛区", "卢伟"),
    ("乐山市嘉州环境科技有限公司", "乐山市市中区", "丁楠"),
]

PROJECT_OWNERS = [
    ("眉山市彭山区发展控股有限责任公司", "眉山市彭山区", "徐光明"),
    ("四川彭山经济开发区建设投资有限公司", "眉山市彭山区", "付丽华"),
    ("眉山市彭祖山旅游开发有限公司", "眉山市彭山区", "魏东"),
    ("四川岷江新材料科技有限公司", "眉山市彭山区", "潘静"),
    ("眉山市彭山区锦江食品有限公司", "眉山市彭山区", "姜涛"),
    ("成眉石化园区基础设施开发有限公司", "眉山市彭山区", "范晓"),
]

# The region tree (R8): (name, kind, administrative division code, areas inside it).
REGIONS = [
    (
        "眉山市彭山区",
        Region.Kind.DISTRICT,
        "511403",
        [
            ("凤鸣街道", Region.Kind.TOWN, "", []),
            ("观音街道", Region.Kind.TOWN, "", []),
            ("青龙街道", Region.Kind.TOWN, "", []),
            ("黄丰镇", Region.Kind.TOWN, "", []),
            (
                "彭山经济开发区",
                Region.Kind.PARK,
                "",
                [("青龙工业园", Region.Kind.ZONE, "", []), ("观音片区", Region.Kind.ZONE, "", [])],
            ),
            ("成眉石化园区", Region.Kind.PARK, "", []),
        ],
    )
]

# owner, name, investment code, region (a name in REGIONS), funding, and for a project whose
# owner asked to classify it special or major: (reason, the approval department's answer or
# None while it has not answered). Every project is approved by SPECIAL_PROJECT_DEPARTMENT.
PROJECTS = [
    (
        0,
        "彭山区岷江大道（二期）道路工程",
        "2020-511403-48-01-000101",
        "凤鸣街道",
        Project.Funding.STATE,
        None,
    ),
    (
        0,
        "彭山区城区污水处理厂提标改造工程",
        "2020-511403-77-01-000102",
        "观音街道",
        Project.Funding.STATE,
        None,
    ),
    (
        1,
        "彭山经济开发区标准化厂房建设项目",
        "2020-511403-47-01-000201",
        "彭山经济开发区",
        Project.Funding.STATE,
        None,
    ),
    (
        2,
        "彭祖山景区游客服务中心建设项目",
        "2020-511403-78-03-000301",
        "黄丰镇",
        Project.Funding.SOCIAL,
        None,
    ),
    (
        3,
        "年产5万吨锂电池负极材料项目",
        "2020-511403-26-03-000401",
        "青龙工业园",
        Project.Funding.SOCIAL,
        ("总投资32亿元，列入省重点项目，生产工艺涉及新型负极材料，需单独开展环境影响评价。", None),
    ),
    (
        4,
        "食品加工生产线技术改造项目",
        "2020-511403-14-03-000501",
        "青龙街道",
        Project.Funding.SOCIAL,
        None,
    ),
    (
        5,
        "成眉石化园区公共管廊工程",
        "2020-511403-48-01-000601",
        "成眉石化园区",
        Project.Funding.STATE,
        (
            "输送危险化学品的公共管廊，属重大工程。",
            "经核实，项目输送危险化学品，属特殊工程，确认。",
        ),
    ),
]

SPECIAL_PROJECT_DEPARTMENT = "彭山生态环境局"

# Purchase requests, one per state, made through the services: (project index, item code,
# budget, selection method, outcome, quoting agency indexes with their amounts). Requests
# whose outcome is decided at the deadline are published with a deadline seconds away, so the
# demo's draws are real draws, made by the server clock and re-checkable.
# After agency07 quotes on the optimal-price request, a regulator finds it is supervised by the
# department approving the item: the quote stops counting, with the reason on the notice.
TIE_FOUND_AFTER_QUOTING = ("PS-ZJ-018", 7, "核查发现该机构由本事项的审批部门主管，未如实申报")
# After the four surveying agencies quote on PS-ZJ-012, a regulator applies the issuing
# authority's register of 测绘资质: it shows that agency23's certificate ended yesterday (the
# agency had recorded a later date). The end is corrected on its record, the certificate
# leaves its scope, and its quote — the lowest — stops counting, with the reason on the notice.
CERTIFICATE_ENDED_AFTER_QUOTING = ("PS-ZJ-012", 23, "四川省自然资源厅测绘资质单位名录（演示数据）")
# Two requests for the same item, each below the fee-splitting threshold: the second is
# refused at publication and stays a draft.
FEE_SPLITTING_EXAMPLE = ("PS-ZJ-021", "20000")

PURCHASE_SCENARIOS = [
    (0, "PS-ZJ-001", "180000", "random_draw", "awarded", {1: "150000", 2: "120000", 3: "135000"}),
    (
        1,
        "PS-ZJ-018",
        "90000",
        "optimal_price",
        "awarded",
        {4: "65000", 5: "58000", 6: "70000", 7: "52000"},
    ),
    (0, "PS-ZJ-019", "50000", "random_draw", "failed", {1: "42000", 2: "39000"}),
    (3, "PS-ZJ-016", "60000", "direct", "selecting", {5: "48000", 6: "52000"}),
    (3, "PS-ZJ-017", "60000", "lowest_price", "quoting", {3: "45000", 4: "47000"}),
    (3, "PS-ZJ-007", "120000", "random_draw", "published", {}),
    (0, "PS-ZJ-020", "30000", "random_draw", "cancelled", {}),
    (
        0,
        "PS-ZJ-012",
        "28000",
        "lowest_price",
        "awarded",
        {20: "24000", 21: "22500", 22: "21000", 23: "20500"},
    ),
    (1, "PS-ZJ-005", "80000", "random_draw", "draft", {}),
]
CANCEL_REASON = "业主决定自行编制项目申请报告（该事项允许业主自行编制）"

# A regional assessment (R8): projects in the development zone reuse it.
REGIONAL_ASSESSMENT = (
    "彭山经济开发区区域评估（环评、节能、水土保持）",
    "彭山经济开发区",
    ["environmental_impact", "energy_saving", "soil_water_conservation"],
    "开发区内一般工业项目共享区域评估结果，不再单独编报；特殊工程和重大工程除外。",
)

# username, organisation (kind, index into its list, or None), display name
DEMO_USERS = [
    ("owner", (Role.PROJECT_OWNER, 0), "徐光明（项目业主）"),
    ("owner01", (Role.PROJECT_OWNER, 1), "付丽华（项目业主）"),
    ("owner02", (Role.PROJECT_OWNER, 2), "魏东（项目业主）"),
    ("owner03", (Role.PROJECT_OWNER, 3), "潘静（项目业主）"),
    ("owner04", (Role.PROJECT_OWNER, 4), "姜涛（项目业主）"),
    ("owner05", (Role.PROJECT_OWNER, 5), "范晓（项目业主）"),
    ("agency", (Role.AGENCY, 0), "刘晓峰（中介机构）"),  # registers with its agency
    ("regulator", (Role.REGULATOR, 0), "区行政审批局 监管员"),
    ("approval", (Role.APPROVAL_DEPARTMENT, 3), "彭山生态环境局 审批员"),
    ("admin", None, "平台管理员"),
]

# Qualification types: code, name, grades (highest first), legal basis. Only qualifications a
# law or regulation still requires are listed (R3); many once-required ones were abolished.
QUALIFICATION_TYPES = [
    (
        "surveying",
        "测绘资质",
        ["甲级", "乙级"],
        "《中华人民共和国测绘法》第二十七条；《测绘资质管理办法》",
    ),
    ("engineering-survey", "工程勘察资质", ["甲级", "乙级"], "《建设工程勘察设计管理条例》第七条"),
    (
        "engineering-survey-comprehensive",
        "工程勘察综合资质",
        [],
        "《建设工程勘察设计管理条例》第七条",
    ),
    (
        "geohazard",
        "地质灾害评估和治理工程勘查设计资质",
        ["甲级", "乙级"],
        "《地质灾害防治条例》第二十四条",
    ),
    (
        "safety-assessment",
        "安全评价机构资质",
        ["甲级", "乙级"],
        "《中华人民共和国安全生产法》第七十二条；《安全评价检测检验机构管理办法》",
    ),
    (
        "drawing-review",
        "施工图审查机构认定",
        ["一类", "二类"],
        "《房屋建筑和市政基础设施工程施工图设计文件审查管理办法》第六条",
    ),
    (
        "fire-testing",
        "消防设施维护保养检测机构资质",
        [],
        "《中华人民共和国消防法》第三十四条；《社会消防技术服务管理规定》",
    ),
]

# Item code → requirements: alternatives separated by "|", requirements within one by "+",
# each "qualification code:minimum grade" (no grade where the type has none).
ITEM_REQUIREMENTS = {
    "PS-ZJ-004": "geohazard:乙级",
    "PS-ZJ-008": "drawing-review:二类",
    "PS-ZJ-009": "engineering-survey:乙级|engineering-survey-comprehensive:",
    "PS-ZJ-010": "surveying:乙级",
    "PS-ZJ-011": "surveying:乙级",
    "PS-ZJ-012": "surveying:乙级",
    "PS-ZJ-013": "surveying:乙级",
    "PS-ZJ-014": "safety-assessment:乙级",
    "PS-ZJ-015": "safety-assessment:乙级",
    "PS-ZJ-021": "fire-testing:",
}

# Fees (yuan): item code → (set price, guidance ceiling, reference low, reference high)
ITEM_FEES = {
    "PS-ZJ-001": (None, None, "30000", "150000"),
    "PS-ZJ-002": (None, None, "15000", "60000"),
    "PS-ZJ-003": (None, None, "80000", "300000"),
    "PS-ZJ-004": (None, None, "20000", "90000"),
    "PS-ZJ-005": (None, None, "15000", "80000"),
    "PS-ZJ-006": (None, None, "20000", "100000"),
    "PS-ZJ-007": (None, None, "8000", "120000"),
    "PS-ZJ-008": ("36000", None, None, None),
    "PS-ZJ-009": (None, None, "30000", "400000"),
    "PS-ZJ-010": (None, "8000", None, None),
    "PS-ZJ-011": (None, "12000", None, None),
    "PS-ZJ-012": (None, None, "5000", "30000"),
    "PS-ZJ-013": (None, None, "5000", "25000"),
    "PS-ZJ-014": (None, None, "30000", "120000"),
    "PS-ZJ-015": (None, None, "20000", "80000"),
    "PS-ZJ-016": (None, None, "20000", "90000"),
    "PS-ZJ-017": (None, None, "20000", "80000"),
    "PS-ZJ-018": (None, None, "20000", "70000"),
    "PS-ZJ-019": (None, None, "10000", "50000"),
    "PS-ZJ-020": (None, None, "10000", "60000"),
    "PS-ZJ-021": (None, None, "5000", "40000"),
    "PS-ZJ-022": (None, None, "5000", "30000"),
}

# The service guide shared by most items (R10: everything needed, told at once); a few items
# have their own below.
GUIDE_DEFAULT = (
    "项目立项（备案/核准）文件\n项目用地范围图及总平面布置图\n委托单位营业执照\n与服务内容相关的既有技术资料",
    "在中介超市发布采购需求并选取中介机构\n签订示范合同并提交所需资料\n中介机构现场踏勘、编制成果\n"
    "项目业主确认成果并在平台验收、评价",
    "技术报告（纸质与电子版）\n成果电子文件及数据\n报告结论一页纸摘要",
)
GUIDES = {
    "PS-ZJ-001": (
        "项目立项文件\n工程建设内容及规模说明\n项目选址红线图\n区域环境质量现状资料（如有）",
        "发布采购需求并选取中介机构\n签订示范合同\n开展现状调查与监测\n编制环境影响报告书（表）\n"
        "项目业主确认后报彭山生态环境局审批",
        "环境影响报告书或报告表\n公众参与说明（报告书项目）\n环境监测报告",
    ),
    "PS-ZJ-008": (
        "施工图设计文件（全专业）\n岩土工程勘察报告\n设计合同及设计单位资质证明",
        "建设单位在线提交施工图\n审查机构在法定时限内完成审查\n出具审查意见，设计单位修改回复\n审查合格后出具审查合格书",
        "施工图审查合格书\n审查意见及回复记录",
    ),
}
LEGAL_REFERENCES = {
    "PS-ZJ-001": "《中华人民共和国环境影响评价法》第十六条\n《建设项目环境保护管理条例》第七条\n《建设项目环境影响评价分类管理名录》",
    "PS-ZJ-005": "《中华人民共和国水土保持法》第二十五条\n《生产建设项目水土保持方案管理办法》",
    "PS-ZJ-008": "《建设工程质量管理条例》第十一条\n《房屋建筑和市政基础设施工程施工图设计文件审查管理办法》第三条",
}

# Agency index → (qualification code, grade, days until expiry) certificates; by the names.
AGENCY_QUALIFICATIONS = {
    9: [("geohazard", "甲级", 900), ("engineering-survey", "甲级", 700)],
    10: [("engineering-survey", "乙级", 500)],
    11: [("geohazard", "乙级", 400), ("engineering-survey", "乙级", 20)],  # one expires soon
    12: [("engineering-survey-comprehensive", "", 800)],
    18: [("drawing-review", "一类", 600)],
    19: [("drawing-review", "二类", 300)],
    20: [("surveying", "乙级", 650)],
    21: [("surveying", "甲级", 900)],
    22: [("surveying", "乙级", 25)],  # expires within 30 days
    23: [("surveying", "甲级", 1000)],
    24: [("safety-assessment", "乙级", 500)],
    25: [("safety-assessment", "甲级", 800)],
    30: [("fire-testing", "", 700)],
}

# Agency index → (status, note). The rest are active.
# Agencies whose certificates a regulator has not verified yet: they count for nothing until
# then (the back office's "Certificates to verify").
CERTIFICATES_AWAITING_VERIFICATION = {19}

AGENCY_STATES = {
    26: ("pending", "新入驻申请，待审核"),
    27: ("pending", "执业人员与在职公职人员名册比对一致，暂不能启用"),
    28: ("rejected", "未提供有效的资质证书"),
    29: ("suspended", "双随机抽查发现报告质量问题，暂停执业"),
    31: ("exited", "机构主动申请退出"),
}

# Practitioners: agency index → (name, role, ID number). The ID numbers are made up but have a
# valid check character; they are hashed at once and never stored.
PRACTITIONERS = {
    0: [
        ("刘晓峰", "legal_representative", "510104198203154518"),
        ("王建华", "technical_lead", "511402198507213913"),
    ],
    9: [("马骏", "legal_representative", "510107197911022334")],
    21: [("曹颖", "technical_lead", "510108198806162125")],
    27: [("严明", "senior_manager", "511403198001010015")],
    30: [("钱永福", "senior_manager", "510103197604123316")],
}
# The serving government employee whose ID the practitioner of agency 27 shares (R4).
STAFF_REGISTER = [("511403198001010015", "区住建局")]

# A sample of next year's make-up working days, entered as a regulator would once the State
# Council publishes the schedule — clearly marked as a sample, and the year left unconfirmed,
# so its deadlines stay provisional (暂定) until a regulator confirms the real schedule.
SAMPLE_CALENDAR = {
    2027: [
        ("2027-02-14", True, "示例数据：春节调休上班（演示用，非国务院通知）"),
        ("2027-02-20", True, "示例数据：春节调休上班（演示用，非国务院通知）"),
    ],
}

# Model contracts (示范合同, R5) ------------------------------------------------------------------
# Items with a model contract, each written by the item's approval department where the demo
# has a login for it (彭山生态环境局's "approval"), otherwise by the regulator, who keeps model
# contracts too; approved by the regulator. The items the demo's contracts and awarded
# requests use, and PS-ZJ-006 signed owner first.
MODEL_CONTRACTS = {
    "PS-ZJ-001": "agency_first",
    "PS-ZJ-018": "agency_first",
    "PS-ZJ-012": "agency_first",
    "PS-ZJ-002": "agency_first",
    "PS-ZJ-005": "agency_first",
    "PS-ZJ-006": "owner_first",
    "PS-ZJ-017": "agency_first",
    "PS-ZJ-019": "agency_first",
}
# The text, a Jinja2 template limited to contracts/templating.py's variables; the marker
# [成果清单] is replaced by the item's deliverables (its service guide) before it is written.
MODEL_CONTRACT_BODY = """\
委托方（甲方）与受托方（乙方）依据《中华人民共和国民法典》和中介服务网上超市的中选结果，\
就{{ project }}的{{ service }}（事项编码 {{ service_code }}）服务，在平等、自愿、公平、诚信的\
基础上订立本合同。

第一条　服务内容

乙方为{{ project }}提供{{ service }}服务。服务的范围和深度以中介服务网上超市公布的采购需求和\
本事项服务指南为准，成果应符合国家和四川省现行技术规范，满足审批部门受理和审查的要求。

第二条　服务费用

本合同服务费为人民币{{ fee }}元，即乙方的中选报价，包含现场踏勘、资料收集、成果编制、\
配合技术审查和按审查意见修改完善的费用。双方未以书面补充协议变更服务范围的，乙方不另行收取\
任何费用。

第三条　支付方式

成果经甲方验收合格之日起十五日内，甲方以银行转账方式向乙方支付服务费；乙方应在收款前向甲方\
开具等额的合法发票。

第四条　服务时限

乙方应自本合同生效之日起{{ time_limit_days }}个工作日内交付全部成果。该时限为乙方报价时承诺的\
时限，不超过本事项的法定时限{{ statutory_time_limit_days }}个工作日。工作日按国务院公布的节假日\
安排计算；甲方验收成果的期间，以及因甲方未按约定提供资料而延误的期间，不计入乙方的服务时限。

第五条　甲方的义务

（一）自本合同生效之日起三个工作日内，向乙方提供服务指南所列资料，并对资料的真实性负责；
（二）为乙方现场踏勘提供必要的便利条件；
（三）按本合同约定及时组织验收并支付服务费。

第六条　乙方的义务

（一）依照法律法规、技术规范和本合同约定，独立、客观、公正地开展服务，对成果的真实性和准确性\
负责；
（二）指派具备相应执业资格的人员承担本项目，未经甲方同意不得更换项目负责人，不得转包或者违法\
分包；
（三）对甲方提供的资料和服务中知悉的商业秘密予以保密；
（四）成果未通过审批部门审查的，按审查意见免费修改完善，直至满足审查要求。

第七条　成果交付与验收

（一）乙方通过中介服务网上超市提交成果，成果包括：[成果清单]。
（二）甲方应自收到成果之日起五个工作日内完成验收；验收不合格的，应一并书面列明修改意见并退回\
乙方，乙方修改后重新交付。
（三）甲方逾期未提出书面意见的，视为验收合格。

第八条　违约责任

（一）乙方逾期交付成果的，每逾期一个工作日，按服务费的千分之五向甲方支付违约金，违约金累计\
不超过服务费的百分之十；逾期超过十个工作日的，甲方有权解除合同。
（二）因乙方原因致使成果存在重大错误、弄虚作假或者未通过审查的，乙方应免费返工，并赔偿由此\
造成的直接损失。
（三）甲方逾期支付服务费的，每逾期一日，按应付未付金额的万分之五向乙方支付违约金，违约金累计\
不超过服务费的百分之十。
（四）一方违约给对方造成损失的，应赔偿对方的实际损失，但不超过违约方订立合同时预见到或者应当\
预见到的损失。

第九条　不可抗力

因不可抗力不能履行合同的，根据不可抗力的影响，部分或者全部免除责任，但法律另有规定的除外。\
遭遇不可抗力的一方应及时通知对方，并在合理期限内提供证明。

第十条　合同的变更和解除

变更本合同应经双方协商一致，并在中介服务网上超市签署补充协议。除本合同约定和法律规定的情形外，\
任何一方不得擅自解除合同。

第十一条　争议解决

因履行本合同发生争议的，双方应协商解决；协商不成的，任何一方均可向项目所在地有管辖权的人民法院\
提起诉讼。

第十二条　其他

本合同自双方在中介服务网上超市完成电子签名之日起生效。本合同未尽事宜，依照有关法律法规执行，\
双方也可另行签订补充协议。"""
MODEL_CONTRACT_NOTE = "经审查，文本未发现霸王条款，费用和时限条款符合事项标准，同意发布。"
# A second version of one item's model contract, written by its department ("approval") and
# submitted with a clause the checker flags (agency_only_termination, high severity), not
# answered: it waits for the regulator, who cannot approve it until the finding is answered.
# (item code, [(old text, new text)])
FLAGGED_MODEL_CONTRACT = (
    "PS-ZJ-001",
    [
        (
            "逾期超过十个工作日的，甲方有权解除合同。",
            "逾期超过十个工作日的，甲方可以催告乙方在合理期限内交付。",
        ),
        (
            "不超过服务费的百分之十。\n（四）",
            "不超过服务费的百分之十；甲方未按约定提供资料的，乙方有权单方解除合同，已收取的费用"
            "不予退还。\n（四）",
        ),
    ],
)

# Contracts (R5, R10), one in each state, each from a confirmed award of its own request:
# (project index, item code, budget, quoting agency indexes with their amounts, working days
# the quotes commit to, the state the demo takes the contract to). The requests select by
# lowest price, so agency 0 (the demo's "agency" login) wins each with the lowest quote.
# They are made in this order, so the contract numbers follow it.
CONTRACT_SCENARIOS = [
    (1, "PS-ZJ-019", "45000", {0: "32000", 6: "36000"}, 10, "overdue"),
    (0, "PS-ZJ-006", "60000", {0: "52000", 12: "58000"}, 20, "awaiting_agency"),
    (1, "PS-ZJ-002", "50000", {0: "38000", 5: "42000"}, 15, "awaiting_owner"),
    (5, "PS-ZJ-001", "120000", {0: "86000", 1: "98000"}, 20, "in_force"),
    (5, "PS-ZJ-017", "70000", {0: "48000", 13: "56000"}, 20, "delivered"),
    (3, "PS-ZJ-005", "60000", {0: "42000", 13: "47000"}, 18, "accepted"),
    (0, "PS-ZJ-005", "50000", {0: "36000", 14: "39000"}, 18, "returned"),
    # Finished services of other agencies, for ratings (R12): agency13's and agency01's are
    # rated, agency05's waits for the owner login's rating.
    (3, "PS-ZJ-005", "60000", {13: "40000", 14: "45000"}, 18, "accepted"),
    (5, "PS-ZJ-001", "120000", {1: "80000", 0: "90000"}, 20, "accepted"),
    (0, "PS-ZJ-002", "50000", {5: "36000", 0: "39000"}, 15, "accepted"),
]
# The ratings of the finished services (R12), by the winning agency's index: the owner's
# scores (quality, timeliness, attitude, fees, conduct), comment and, for a poor one, its
# reason; the scores of the department (彭山生态环境局, the approval login, for its own
# items) on quality and timeliness, or None; the agency's reply.
RATINGS = {
    0: (
        (5, 5, 5, 4, 5),
        "报告质量高，比承诺时限提前完成，沟通顺畅。",
        "",
        None,
        "感谢认可，我们将继续保持服务质量。",
    ),
    13: ((5, 5, 5, 5, 4), "按时交付，成果一次通过审查。", "", None, ""),
    # A poor rating: it waits in the regulator's queue before it counts.
    1: (
        (4, 3, 3, 1, 2),
        "合同外另收加急费。",
        "在合同价款之外另行收取加急费3000元，有收据为证。",
        (4, 4),
        "",
    ),
}
# The overdue contract's story: awarded on a Monday in September 2026 and in force on Tuesday
# 09-22 with 10 working days; 中秋 and 国庆 (09-25 to 09-27, 10-01 to 10-07) are days off and
# Saturday 10-10 a make-up working day, so it was due on 10-13 and is overdue since 10-14
# (the example in contracts/clock.py).
OVERDUE_AWARDED_AT = "2026-09-14T10:00:00+08:00"
OVERDUE_IN_FORCE_AT = "2026-09-22T10:00:00+08:00"
RETURN_REASONS = "报告未附水土流失防治责任范围图，弃渣场选址论证不充分，请补充后重新提交。"

# Credit (R11, R12) ----------------------------------------------------------------------------
# Inspections (双随机、一公开): agency index, result, findings, days ago.
INSPECTIONS = [
    (13, "passed", "随机抽查水土保持方案2份，编制规范，结论依据充分。", 45),
    (0, "passed", "随机抽查环境影响报告表2份，未发现问题。", 60),
    (6, "corrected", "执业人员登记信息未及时更新，合同归档不全，已责令30日内整改。", 30),
]
# Violations a regulator recorded: agency index, type, severity, facts, evidence, legal basis,
# days ago.
VIOLATIONS = [
    (
        6,
        "late_signing",
        "ordinary",
        "中选后无正当理由超过约定期限7日才签订服务合同。",
        "合同签订记录及平台操作日志。",
        "《彭山区优化中介服务实施方案》附件4（十）（演示）",
        50,
    ),
]
# The blacklisted agency (R11): its index, the grave violation, the entry and the person
# banned with it, who has since joined agency JOINED_AFTER_BAN as a senior manager.
BLACKLISTED = {
    "agency": 30,
    "kind": "false_report",
    "facts": "出具的消防检测报告中3个检测点位数据系复制其他项目报告，检测人员当日并未到场。",
    "evidence": "现场检测记录、设备使用记录与报告数据比对表；检测人员当日行程记录。",
    "legal_basis": "《彭山区优化中介服务实施方案》附件4（十一）；《消防技术服务机构从业条件》（演示）",
    "reason": "出具虚假检测报告，情节严重，列入黑名单并实行市场禁入。",
    "days_ago": 20,
    "years": 3,
    "person": ("钱永福", "senior_manager", "510103197604123316"),
}
JOINED_AFTER_BAN = 24
# Credit repair: the agency applies for its violation above (index), waiting for a decision.
REPAIR = (
    6,
    "已与委托方补签合同并完成全部服务，建立了中选后3日内签约的内部制度，相关制度文件附后。",
)
# Two complaints still open: one from a member of the public, one from the owner login.
COMPLAINTS = [
    (
        None,
        "fee",
        1,
        "该机构在合同价款之外另收加急费3000元，并称不交就不能按期出报告。",
        "周先生",
        "zhou.demo@example.com",
    ),
    (
        "owner",
        "conduct",
        6,
        "中选后该机构多次拖延签约，联系人不接电话，影响项目审批进度。",
        "徐光明",
        "028-86001234",
    ),
]


# The portal ------------------------------------------------------------------------------------

# The site's web editors work for the approval bureau (a regulator, so they also give a second
# factor); editors write and submit, reviewers approve and publish (cms/migrations/0005).
# username, regulator index, display name, editorial group
EDITORIAL_USERS = [
    ("editor", 0, "区行政审批局 网站编辑", "网站编辑"),
    ("reviewer", 0, "区行政审批局 网站审核", "网站审核"),
]

PORTAL_SETTINGS = {
    "organiser": "眉山市彭山区行政审批局",
    "address": "眉山市彭山区彭祖大道二段 政务服务中心三楼",
    "phone": "028-37600000",
    "email": "zjcs@demo.zjcs.localhost",
    "icp_number": "蜀ICP备00000000号-1（演示）",
    "public_security_number": "川公网安备51140300000000号（演示）",
}

# slug, page type, title, introduction
PORTAL_SECTIONS = [
    (
        "notice-centre",
        "NoticeCentrePage",
        "公告中心",
        "采购公告、成交公告、废标与终止公告、合同公示、黑名单与检查结果，均取自平台实时数据。",
    ),
    ("policies", "PolicyIndexPage", "政策法规", "中介服务网上超市依据的政策文件。"),
    ("news", "NewsIndexPage", "新闻动态", ""),
    (
        "guides",
        "ServiceGuideIndexPage",
        "办事指南",
        "各中介服务事项的办理指南：业主需提供的材料、办理步骤和服务成果。",
    ),
]

# slug, date, title, summary, body paragraphs
NEWS = [
    (
        "marketplace-online",
        datetime.date(2026, 9, 1),
        "彭山区行政审批中介服务网上超市上线运行",
        "项目业主在线发布采购需求，中介机构自愿入驻、公开竞价，选取过程全程留痕、公开可验证。",
        [
            "为落实《眉山市彭山区规范行政审批中介服务专项行动方案》，区行政审批局建设的中介服务网上超市正式上线运行。",
            "项目业主可在线发布采购需求、选取中介机构并签订示范合同；中介机构可在线入驻、报价和提交成果；"
            "审批部门和监管部门可在线跟踪服务时限和服务质量。",
        ],
    ),
    (
        "agency-registration",
        datetime.date(2026, 9, 15),
        "中介机构入驻指引发布",
        "符合条件的中介机构均可自愿入驻，不设数量限制，区行政审批局在法定时限内完成审核。",
        [
            "中介机构在线填写机构信息、上传营业执照和资质证书，即可提交入驻申请。",
            "审核通过后，机构信息和资质在平台公示，可对其资质范围内的中介服务事项报价。",
        ],
    ),
    (
        "credit-evaluation",
        datetime.date(2026, 10, 20),
        "中介机构信用评价办法开始实施",
        "服务评价、投诉处理、违规记录和抽查结果计入中介机构信用，信用等级在平台公开。",
        [
            "项目业主和审批部门可在服务完成后对中介机构作出评价，评价结果计入信用分。",
            "严重违规的中介机构列入黑名单，列入期间不得在平台承接中介服务。",
        ],
    ),
]

# The catalogue items given a guide page (their materials, steps and deliverables come from
# the item itself), with the page's own advice.
SERVICE_GUIDE_PAGES = {
    "PS-ZJ-001": "报告书项目需开展公众参与；位于已完成区域评估的园区内的一般项目，可直接引用区域评估结论。",
    "PS-ZJ-005": "生产建设项目开工前应完成水土保持方案审批。",
    "PS-ZJ-008": "施工图审查由建设单位在线提交，审查机构在法定时限内出具审查意见。",
}

ACTION_PLAN_FILE = Path(__file__).parent / "demo_content" / "pengshan-action-plan-2020.txt"
ACTION_PLAN_ISSUER = "眉山市彭山区人民政府"
ACTION_PLAN_ISSUED_ON = datetime.date(2020, 1, 9)
_SECTION_HEADING = re.compile(r"^[一二三四五六七八九十]+、")
_ANNEX = re.compile(r"^附件(\d+)$")
_DATE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")


@dataclass
class PolicyDocument:
    slug: str
    title: str
    summary: str = ""
    # (heading, paragraphs); the first heading is empty for the text before any heading.
    sections: list[tuple[str, list[str]]] = field(default_factory=list)


def _is_title_line(line: str) -> bool:
    return len(line) < 40 and not line.endswith("。") and not _SECTION_HEADING.match(line)


def _document(slug: str, lines: list[str], summary: str = "") -> PolicyDocument:
    """A title (one or two short lines), then paragraphs in sections under 一、二、… headings."""
    title = []
    while lines and _is_title_line(lines[0]):
        title.append(lines.pop(0))
    document = PolicyDocument(slug=slug, title="".join(title), summary=summary)
    heading, paragraphs = "", []
    for line in lines:
        if _SECTION_HEADING.match(line):
            if heading or paragraphs:
                document.sections.append((heading, paragraphs))
            heading, paragraphs = line, []
        else:
            paragraphs.append(line)
    document.sections.append((heading, paragraphs))
    return document


def action_plan_documents() -> list[PolicyDocument]:
    """The seed's action plan as policy documents: the plan itself and each of its annexes."""
    lines = [line.strip() for line in ACTION_PLAN_FILE.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    chunks: list[tuple[str, list[str]]] = [("action-plan-2020", [])]
    for line in lines:
        annex = _ANNEX.match(line)
        if annex:
            chunks.append((f"action-plan-2020-annex-{annex.group(1)}", []))
        else:
            chunks[-1][1].append(line)
    (slug, plan), annexes = chunks[0], chunks[1:]
    # The plan opens with the government's notice issuing it, signed and dated.
    dated = next(index for index, line in enumerate(plan) if _DATE.match(line))
    notice = "".join(plan[: dated - 1])
    documents = [_document(slug, plan[dated + 1 :], summary=notice)]
    documents += [_document(annex_slug, annex_lines) for annex_slug, annex_lines in annexes]
    return documents
