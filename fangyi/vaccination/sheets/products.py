"""The vaccine products as a spreadsheet names them: by maker (or one of its aliases) and
by vaccine name, a brand or the generic name."""

from __future__ import annotations

from django.utils.translation import gettext as _

from fangyi.sheets.headers import header_key
from fangyi.vaccination.models import VaccineProduct


class Products:
    """The vaccine products, recognised by maker (or an alias) and by vaccine name."""

    def __init__(self) -> None:
        self.products = list(VaccineProduct.objects.all())
        self.makers = [(header_key(n), p) for p in self.products for n in p.maker_names() if header_key(n)]
        # Longest first: "北京科兴中维" must win over "科兴".
        self.makers.sort(key=lambda pair: -len(pair[0]))

    def by_maker(self, text: str) -> list[VaccineProduct]:
        key = header_key(text)
        found = []
        for name, product in self.makers:
            if (name in key or key == name) and product not in found:
                found.append(product)
        return found

    def by_name(self, text: str) -> list[VaccineProduct]:
        """A brand (众爱可维) names one product; a generic name (新冠病毒灭活疫苗(Vero细胞))
        names every product of that kind."""
        key = header_key(text)
        brands = [p for p in self.products if header_key(p.name) and header_key(p.name) in key]
        if brands:
            return brands
        return [p for p in self.products if header_key(p.generic_name) == key]

    def find(self, vaccine: str | None, maker: str | None) -> tuple[VaccineProduct | None, list[tuple]]:
        """The product, or None and [(field, why)]."""
        by_maker = self.by_maker(maker) if maker else None
        by_name = self.by_name(vaccine) if vaccine else None
        if by_maker == []:
            why = _("生产企业“%(m)s”不在疫苗产品目录中；如是别名，请在疫苗产品的“企业别名”中添加。")
            return None, [("maker", why % {"m": maker})]
        if by_name == []:
            return None, [("vaccine", _("疫苗名称“%(v)s”不在疫苗产品目录中。") % {"v": vaccine})]
        if by_maker is None and by_name is None:
            return None, [("vaccine", _("请填写疫苗名称和生产企业。"))]
        found = [p for p in (by_maker or by_name or []) if by_name is None or p in by_name]
        if not found:
            why = _("疫苗名称“%(v)s”与生产企业“%(m)s”对不上，请核对。")
            return None, [("vaccine", why % {"v": vaccine, "m": maker})]
        if len(found) > 1:
            return None, [("maker", _("仅凭疫苗名称无法确定是哪家企业的疫苗，请填写生产企业。"))]
        return found[0], []
