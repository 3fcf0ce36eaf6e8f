"""Kurdish names for the real hierarchy's entities already in the database, found by code.

The names are copied here (not imported from ``hierarchy.py``) so that this migration keeps
meaning what it meant when it was written. A name an administrator already typed is kept.
"""

from django.db import migrations

NAMES = {
    "COMSEC": "ئەمینداریەتی گشتیی ئەنجومەنی وەزیران",
    "MOFA": "وەزارەتی دەرەوە",
    "MOI": "وەزارەتی ناوخۆ",
    "MOD": "وەزارەتی بەرگری",
    "MOF": "وەزارەتی دارایی",
    "MOO": "وەزارەتی نەوت",
    "MOE": "وەزارەتی کارەبا",
    "MOP": "وەزارەتی پلاندانان",
    "MOJ": "وەزارەتی دادوەری",
    "MOH": "وەزارەتی تەندروستی",
    "MOENV": "وەزارەتی ژینگە",
    "MOED": "وەزارەتی پەروەردە",
    "MOHESR": "وەزارەتی خوێندنی باڵا و توێژینەوەی زانستی",
    "MOCHM": "وەزارەتی ئاوەدانکردنەوە و نیشتەجێکردن و شارەوانییە گشتییەکان",
    "MOT": "وەزارەتی گواستنەوە",
    "MOC": "وەزارەتی گەیاندن",
    "MOTR": "وەزارەتی بازرگانی",
    "MOIM": "وەزارەتی پیشەسازی و کانزاکان",
    "MOA": "وەزارەتی کشتوکاڵ",
    "MOWR": "وەزارەتی سەرچاوەکانی ئاو",
    "MOLSA": "وەزارەتی کار و کاروباری کۆمەڵایەتی",
    "MOCTA": "وەزارەتی ڕۆشنبیری و گەشتوگوزار و شوێنەوار",
    "MOYS": "وەزارەتی لاوان و وەرزش",
    "MOMD": "وەزارەتی کۆچ و کۆچبەران",
    "GOV-BGD": "پارێزگای بەغدا",
    "GOV-BSR": "پارێزگای بەسرە",
    "GOV-NIN": "پارێزگای نەینەوا",
    "GOV-ANB": "پارێزگای ئەنبار",
    "GOV-BBL": "پارێزگای بابل",
    "GOV-KRB": "پارێزگای کەربەلا",
    "GOV-NJF": "پارێزگای نەجەف",
    "GOV-WST": "پارێزگای واست",
    "GOV-DYL": "پارێزگای دیالە",
    "GOV-SLD": "پارێزگای سەڵاحەدین",
    "GOV-KRK": "پارێزگای کەرکووک",
    "GOV-DHQ": "پارێزگای زیقار",
    "GOV-MYS": "پارێزگای میسان",
    "GOV-MTH": "پارێزگای موسەننا",
    "GOV-QDS": "پارێزگای قادسیە",
    "CBI": "بانکی ناوەندیی عێراق",
    "FBSA": "دیوانی چاودێریی داراییی فیدراڵ",
    "FCI": "دەستەی دەستپاکیی فیدراڵ",
    "IHEC": "کۆمسیۆنی باڵای سەربەخۆی هەڵبژاردنەکان",
    "NIC": "دەستەی نیشتمانیی وەبەرهێنان",
    "FPSC": "ئەنجومەنی خزمەتگوزاریی گشتیی فیدراڵ",
    "CMC": "دەستەی ڕاگەیاندن و پەیوەندییەکان",
    "MARTYRS": "دامەزراوەی شەهیدان",
    "POLPRIS": "دامەزراوەی زیندانیانی سیاسی",
    "SUNNIEND": "دیوانی وەقفی سوننە",
    "SHIAEND": "دیوانی وەقفی شیعە",
    "IHF": "سندووقی نیشتەجێبوونی عێراقی",
    "NDC": "سەنتەری نیشتمانیی داتا",
    "MOF-TAX": "دەستەی گشتیی باج",
    "MOF-CUST": "دەستەی گشتیی گومرگ",
    "MOF-SRE": "فەرمانگەی موڵکەکانی دەوڵەت",
    "MOJ-RER": "فەرمانگەی تۆمارکردنی خانووبەرە",
    "MOI-CSPR": "بەڕێوەبەرایەتیی گشتیی باری شارستانی و پاسپۆرت و ئیقامە",
    "MOO-BOC": "کۆمپانیای نەوتی بەسرە",
    "MOE-DIST-KARKH": "بەڕێوەبەرایەتیی گشتیی دابەشکردنی کارەبای کەرخ",
    "MOED-RUS1": "بەڕێوەبەرایەتیی گشتیی پەروەردەی بەغدا، ڕوسافەی یەکەم",
    "MOHESR-UOB": "زانکۆی بەغدا",
    "MOP-CSO": "دەزگای ناوەندیی ئامار",
    "MOT-GCPI": "کۆمپانیای گشتیی بەندەرەکانی عێراق",
    "MOC-ITPC": "کۆمپانیای گشتیی پەیوەندییەکان و زانیاری",
    "MOCHM-HOUS": "فەرمانگەی نیشتەجێکردن",
    "GOV-BSR-MUN": "بەڕێوەبەرایەتیی شارەوانییەکانی پارێزگای بەسرە",
    "GOV-BGD-PLAN": "بەڕێوەبەرایەتیی پلاندانانی پارێزگای بەغدا",
    "IHF-BSR": "لقی سندووقی نیشتەجێبوون لە بەسرە",
}


def forwards(apps, schema_editor):
    Entity = apps.get_model("entities", "Entity")
    for entity in Entity.objects.filter(code__in=NAMES, name_ckb=""):
        entity.name_ckb = NAMES[entity.code]
        entity.save(update_fields=["name_ckb"])


class Migration(migrations.Migration):
    dependencies = [("entities", "0004_entity_name_ckb")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
