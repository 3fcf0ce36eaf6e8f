"""The real hierarchy of Iraqi state bodies used to seed the portal (names as officially written).

Governorates are the fifteen not organised in a region (المحافظات غير المنتظمة في إقليم), which
report to the federal government; Erbil, Sulaymaniyah, Duhok and Halabja belong to the Kurdistan
Region, whose government runs its own administration, and can be added when the Region joins.
"""

from typing import NamedTuple


class Node(NamedTuple):
    code: str  # 2-32 chars, capital Latin letters, digits, hyphens, unique across the file
    kind: str  # one of: "secretariat", "ministry", "non_ministry", "governorate", "directorate", "institution"
    name_ar: str
    name_en: str
    # code of the parent node, which must appear EARLIER in the list; None for top level
    parent: str | None


HIERARCHY: tuple[Node, ...] = (
    # --- The Secretariat -------------------------------------------------------------------------------------------
    Node(
        "COMSEC",
        "secretariat",
        "الأمانة العامة لمجلس الوزراء",
        "General Secretariat of the Council of Ministers",
        None,
    ),
    # --- Federal ministries (2022 cabinet) -------------------------------------------------------------------------
    Node("MOFA", "ministry", "وزارة الخارجية", "Ministry of Foreign Affairs", None),
    Node("MOI", "ministry", "وزارة الداخلية", "Ministry of Interior", None),
    Node("MOD", "ministry", "وزارة الدفاع", "Ministry of Defence", None),
    Node("MOF", "ministry", "وزارة المالية", "Ministry of Finance", None),
    Node("MOO", "ministry", "وزارة النفط", "Ministry of Oil", None),
    Node("MOE", "ministry", "وزارة الكهرباء", "Ministry of Electricity", None),
    Node("MOP", "ministry", "وزارة التخطيط", "Ministry of Planning", None),
    Node("MOJ", "ministry", "وزارة العدل", "Ministry of Justice", None),
    Node("MOH", "ministry", "وزارة الصحة", "Ministry of Health", None),
    Node("MOENV", "ministry", "وزارة البيئة", "Ministry of Environment", None),
    Node("MOED", "ministry", "وزارة التربية", "Ministry of Education", None),
    Node(
        "MOHESR",
        "ministry",
        "وزارة التعليم العالي والبحث العلمي",
        "Ministry of Higher Education and Scientific Research",
        None,
    ),
    Node(
        "MOCHM",
        "ministry",
        "وزارة الإعمار والإسكان والبلديات العامة",
        "Ministry of Construction, Housing and Public Municipalities",
        None,
    ),
    Node("MOT", "ministry", "وزارة النقل", "Ministry of Transport", None),
    Node("MOC", "ministry", "وزارة الاتصالات", "Ministry of Communications", None),
    Node("MOTR", "ministry", "وزارة التجارة", "Ministry of Trade", None),
    Node(
        "MOIM",
        "ministry",
        "وزارة الصناعة والمعادن",
        "Ministry of Industry and Minerals",
        None,
    ),
    Node("MOA", "ministry", "وزارة الزراعة", "Ministry of Agriculture", None),
    Node("MOWR", "ministry", "وزارة الموارد المائية", "Ministry of Water Resources", None),
    Node(
        "MOLSA",
        "ministry",
        "وزارة العمل والشؤون الاجتماعية",
        "Ministry of Labour and Social Affairs",
        None,
    ),
    Node(
        "MOCTA",
        "ministry",
        "وزارة الثقافة والسياحة والآثار",
        "Ministry of Culture, Tourism and Antiquities",
        None,
    ),
    Node(
        "MOYS",
        "ministry",
        "وزارة الشباب والرياضة",
        "Ministry of Youth and Sports",
        None,
    ),
    Node(
        "MOMD",
        "ministry",
        "وزارة الهجرة والمهجرين",
        "Ministry of Migration and Displaced",
        None,
    ),
    # --- Governorates not organised in a region --------------------------------------------------------------------
    Node("GOV-BGD", "governorate", "محافظة بغداد", "Baghdad Governorate", None),
    Node("GOV-BSR", "governorate", "محافظة البصرة", "Basra Governorate", None),
    Node("GOV-NIN", "governorate", "محافظة نينوى", "Nineveh Governorate", None),
    Node("GOV-ANB", "governorate", "محافظة الأنبار", "Anbar Governorate", None),
    Node("GOV-BBL", "governorate", "محافظة بابل", "Babil Governorate", None),
    Node("GOV-KRB", "governorate", "محافظة كربلاء المقدسة", "Karbala Governorate", None),
    Node("GOV-NJF", "governorate", "محافظة النجف الأشرف", "Najaf Governorate", None),
    Node("GOV-WST", "governorate", "محافظة واسط", "Wasit Governorate", None),
    Node("GOV-DYL", "governorate", "محافظة ديالى", "Diyala Governorate", None),
    Node("GOV-SLD", "governorate", "محافظة صلاح الدين", "Salah al-Din Governorate", None),
    Node("GOV-KRK", "governorate", "محافظة كركوك", "Kirkuk Governorate", None),
    Node("GOV-DHQ", "governorate", "محافظة ذي قار", "Dhi Qar Governorate", None),
    Node("GOV-MYS", "governorate", "محافظة ميسان", "Maysan Governorate", None),
    Node("GOV-MTH", "governorate", "محافظة المثنى", "Muthanna Governorate", None),
    Node("GOV-QDS", "governorate", "محافظة القادسية", "Qadisiyah Governorate", None),
    # --- Bodies not attached to a ministry -------------------------------------------------------------------------
    Node("CBI", "non_ministry", "البنك المركزي العراقي", "Central Bank of Iraq", None),
    Node(
        "FBSA",
        "non_ministry",
        "ديوان الرقابة المالية الاتحادي",
        "Federal Board of Supreme Audit",
        None,
    ),
    Node(
        "FCI",
        "non_ministry",
        "هيئة النزاهة الاتحادية",
        "Federal Commission of Integrity",
        None,
    ),
    Node(
        "IHEC",
        "non_ministry",
        "المفوضية العليا المستقلة للانتخابات",
        "Independent High Electoral Commission",
        None,
    ),
    Node(
        "NIC",
        "non_ministry",
        "الهيئة الوطنية للاستثمار",
        "National Investment Commission",
        None,
    ),
    Node(
        "FPSC",
        "non_ministry",
        "مجلس الخدمة الاتحادي",
        "Federal Public Service Council",
        None,
    ),
    Node(
        "CMC",
        "non_ministry",
        "هيئة الإعلام والاتصالات",
        "Communications and Media Commission",
        None,
    ),
    Node("MARTYRS", "non_ministry", "مؤسسة الشهداء", "Martyrs Foundation", None),
    Node(
        "POLPRIS",
        "non_ministry",
        "مؤسسة السجناء السياسيين",
        "Political Prisoners Foundation",
        None,
    ),
    Node("SUNNIEND", "non_ministry", "ديوان الوقف السني", "Sunni Endowment Office", None),
    Node("SHIAEND", "non_ministry", "ديوان الوقف الشيعي", "Shia Endowment Office", None),
    # --- Housing fund and national data centre ---------------------------------------------------------------------
    Node("IHF", "institution", "صندوق الإسكان العراقي", "Iraqi Housing Fund", "MOCHM"),
    Node("NDC", "directorate", "المركز الوطني للبيانات", "National Data Centre", "COMSEC"),
    # --- Sample directorates and institutions ----------------------------------------------------------------------
    Node(
        "MOF-TAX",
        "directorate",
        "الهيئة العامة للضرائب",
        "General Commission for Taxes",
        "MOF",
    ),
    Node(
        "MOF-CUST",
        "directorate",
        "الهيئة العامة للكمارك",
        "General Customs Authority",
        "MOF",
    ),
    Node(
        "MOF-SRE",
        "directorate",
        "دائرة عقارات الدولة",
        "State Real Estate Directorate",
        "MOF",
    ),
    Node(
        "MOJ-RER",
        "directorate",
        "دائرة التسجيل العقاري",
        "Real Estate Registration Directorate",
        "MOJ",
    ),
    Node(
        "MOI-CSPR",
        "directorate",
        "مديرية الأحوال المدنية والجوازات والإقامة",
        "General Directorate of Civil Status, Passports and Residence",
        "MOI",
    ),
    Node("MOO-BOC", "institution", "شركة نفط البصرة", "Basra Oil Company", "MOO"),
    Node(
        "MOE-DIST-KARKH",
        "directorate",
        "المديرية العامة لتوزيع كهرباء الكرخ",
        "General Directorate of Electricity Distribution of Karkh (Baghdad)",
        "MOE",
    ),
    Node(
        "MOED-RUS1",
        "directorate",
        "المديرية العامة لتربية بغداد الرصافة الأولى",
        "General Directorate of Education of Baghdad Rusafa First",
        "MOED",
    ),
    Node("MOHESR-UOB", "institution", "جامعة بغداد", "University of Baghdad", "MOHESR"),
    Node(
        "MOP-CSO",
        "directorate",
        "الجهاز المركزي للإحصاء",
        "Central Statistical Organization",
        "MOP",
    ),
    Node(
        "MOT-GCPI",
        "institution",
        "الشركة العامة لموانئ العراق",
        "General Company for Ports of Iraq",
        "MOT",
    ),
    Node(
        "MOC-ITPC",
        "institution",
        "الشركة العامة للاتصالات والمعلوماتية",
        "Informatics and Telecommunications Public Company",
        "MOC",
    ),
    Node("MOCHM-HOUS", "directorate", "دائرة الإسكان", "Directorate of Housing", "MOCHM"),
    Node(
        "GOV-BSR-MUN",
        "directorate",
        "مديرية بلديات محافظة البصرة",
        "Basra Governorate Directorate of Municipalities",
        "GOV-BSR",
    ),
    Node(
        "GOV-BGD-PLAN",
        "directorate",
        "مديرية تخطيط محافظة بغداد",
        "Baghdad Governorate Planning Directorate",
        "GOV-BGD",
    ),
    Node(
        "IHF-BSR",
        "institution",
        "فرع صندوق الإسكان في البصرة",
        "Iraqi Housing Fund – Basra Branch",
        "IHF",
    ),
)
