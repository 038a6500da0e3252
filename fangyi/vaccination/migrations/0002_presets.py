"""Vaccine products and booster rules from RULES.md (China, 2021–2022), as editable data."""

from django.db import migrations

PRODUCTS = [
    # name, generic name, maker, aliases, type, primary doses, intervals for doses 2..n
    ("众爱可维", "新冠病毒灭活疫苗(Vero细胞)", "北京生物", "国药北京生物,北京生物制品研究所,国药集团北京生物",
     "inactivated", 2, [{"min_days": 21, "max_days_after_first": 56}]),
    ("众康可维", "新冠病毒灭活疫苗(Vero细胞)", "武汉生物", "国药武汉生物,武汉生物制品研究所,国药集团武汉生物",
     "inactivated", 2, [{"min_days": 21, "max_days_after_first": 56}]),
    ("克尔来福", "新冠病毒灭活疫苗(Vero细胞)", "科兴", "北京科兴,科兴中维,北京科兴中维,Sinovac",
     "inactivated", 2, [{"min_days": 21, "max_days_after_first": 56}]),
    ("克威莎", "重组新冠病毒疫苗(5型腺病毒载体)", "康希诺", "康希诺生物,CanSino", "adenovirus", 1, []),
    ("智克威得", "重组新冠病毒疫苗(CHO细胞)", "智飞龙科马", "安徽智飞龙科马,智飞",
     "recombinant", 3, [{"min_days": 28, "max_days_after_first": 56}, {"min_days": 28, "max_days_after_first": 183}]),
    ("康泰灭活疫苗", "新冠病毒灭活疫苗(Vero细胞)", "深圳康泰", "康泰,深圳康泰生物,民海生物",
     "inactivated", 2, [{"min_days": 28}]),
]


def load(apps, schema_editor):
    Product = apps.get_model("vaccination", "VaccineProduct")
    Rule = apps.get_model("vaccination", "BoosterRule")
    made = {}
    for name, generic, maker, aliases, type_, doses, intervals in PRODUCTS:
        made[name], _ = Product.objects.get_or_create(
            name=name,
            defaults={"generic_name": generic, "maker": maker, "maker_aliases": aliases, "type": type_,
                      "primary_doses": doses, "intervals": intervals},
        )
    if Rule.objects.exists():
        return
    # Homologous booster (Oct 2021): same product as the series, ≥ 6 months after it.
    Rule.objects.create(kind="homologous", edition="2021年10月", min_days_after=183)
    # Heterologous booster (Feb 2022): after 2 inactivated doses, ZF2001 or Ad5-nCoV.
    hetero = Rule.objects.create(kind="heterologous", edition="2022年2月", min_days_after=183,
                                 series_types=["inactivated"])
    hetero.products.set([made["智克威得"], made["克威莎"]])
    # Second booster (Dec 2022): 60+ and high-risk groups, ≥ 6 months after the first booster.
    Rule.objects.create(kind="second", edition="2022年12月", min_days_after=183, min_age=60,
                        effective_from="2022-12-01")


class Migration(migrations.Migration):
    dependencies = [("vaccination", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
