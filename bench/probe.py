"""`python -m bench.probe`: what the benchmark needs from its database, as JSON.

Run in a subprocess with the benchmark's environment (DATABASE_URL …), so the
benchmark process itself never loads Django settings.
"""

from __future__ import annotations

import json
import os


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangyi.settings")
    import django

    django.setup()
    from django.db import connection

    from fangyi.demo import org as demo
    from fangyi.org.models import Community, Staff
    from fangyi.residents.models import Resident

    community = Community.objects.get(subdistrict__name=demo.SUBDISTRICT, name="万达新城")
    residents = Resident.objects.filter(community__subdistrict__name=demo.SUBDISTRICT)
    detail = residents.filter(name="范芝奇").first() or residents.order_by("pk").first()
    # A typical name from the middle of the register: its initials are a typical search.
    count = residents.count()
    middle = residents.order_by("pk")[count // 2] if count else None
    grid_worker = Staff.objects.get(username="demo_grid")
    print(json.dumps({
        "database": connection.vendor,
        "community_id": community.pk,
        "detail_id": detail.pk if detail else None,
        "search": middle.name_initials if middle else "fzq",
        "search_name": middle.name if middle else "",
        # Part of a name (the given name: 琴霞 of 张琴霞) and a phone's last four digits,
        # found through the search keys rather than a prefix of a column.
        "search_given": middle.name[1:] if middle and len(middle.name) > 1 else "芝奇",
        "search_phone": middle.phone[-4:] if middle and middle.phone else "5678",
        "grid_residents": Resident.objects.filter(grid_id=grid_worker.grid_id).count(),
    }, ensure_ascii=False))  # fmt: skip


if __name__ == "__main__":
    main()
