import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zones.basemap import SourceError, build
from zones.map import DATA_FILE


class Command(BaseCommand):
    help = (
        "Rebuild zones/data/base_map.json (the zone map's country outlines) from Natural Earth's "
        "Admin 0 – Countries, 1:50m: ne_50m_admin_0_countries.geojson, or countries-50m.json of the "
        "npm package world-atlas. Run it after changing the projection or the frames in zones/map.py."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", help="The countries file (GeoJSON or TopoJSON).")
        parser.add_argument("--output", default=str(DATA_FILE), help="Where to write (default: %(default)s).")

    def handle(self, *args, source, output, **options):
        try:
            data = build(Path(source))
        except SourceError as exc:
            raise CommandError(str(exc)) from exc
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        Path(output).write_text(text + "\n", encoding="utf-8")
        sizes = ", ".join(f"{name} {len(data[name]) // 1024} kB" for name in ("main", "inset"))
        self.stdout.write(f"Wrote {output} ({len(text) // 1024} kB: {sizes}).")
