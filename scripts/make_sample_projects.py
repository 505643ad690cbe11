#!/usr/bin/env python3
"""Write sample_shapefiles/projects/*.shp: a handful of real water and road projects of real LAOs
in Phuket and Phang Nga, with their budget stages (the sample that `make run` loads).

Run once by a developer when the sample changes (geopandas only, no Django):
    .venv/bin/python scripts/make_sample_projects.py
Stage fields: s1_date … s6_date (ISO dates, empty when not reached) and s3_amt (approved budget),
s4_amt (contract value), s5_amt (amount disbursed).
"""

from pathlib import Path

import geopandas as gpd
from shapely.geometry import LineString, Point

OUT = Path(__file__).resolve().parent.parent / "sample_shapefiles" / "projects"

S = ["s1_date", "s2_date", "s3_date", "s4_date", "s5_date", "s6_date"]


def stages(*dates, amounts=(None, None, None)):
    row = {k: (dates[i] if i < len(dates) else "") for i, k in enumerate(S)}
    row.update({"s3_amt": amounts[0], "s4_amt": amounts[1], "s5_amt": amounts[2]})
    return row


PROJECTS = [
    # (ref, LAO code, kind, subtype, name, FY, plan ref, budget, geometry, stages)
    (
        "1",
        "3830102",
        "road",
        "concrete_road",
        "ก่อสร้างถนน คสล. ถนนถลาง ช่วงสี่แยกถนนเทพกษัตรี",
        2568,
        "ยุทธศาสตร์ที่ 1 หน้า 45 ลำดับ 3",
        2450000,
        LineString([(98.3880, 7.8857), (98.3897, 7.8855), (98.3915, 7.8853)]),
        stages("2024-06-15", "2024-07-20", "2024-09-20", "2024-12-10", amounts=(2450000, 2380000, None)),
    ),
    (
        "2",
        "3830102",
        "water",
        "pond",
        "ปรับปรุงสระน้ำสวนหลวง ร.9",
        2568,
        "ยุทธศาสตร์ที่ 2 หน้า 12 ลำดับ 1",
        850000,
        Point(98.3785, 7.8745),
        stages("2024-06-15", "2024-07-20"),
    ),
    (
        "3",
        "4830201",
        "road",
        "asphalt_road",
        "ปรับปรุงผิวจราจรแอสฟัลท์ติกคอนกรีต ถนนราษฎร์อุทิศ 200 ปี",
        2567,
        "ยุทธศาสตร์ที่ 1 หน้า 30 ลำดับ 7",
        5200000,
        LineString([(98.2985, 7.8985), (98.3003, 7.8930), (98.3010, 7.8880)]),
        stages(
            "2023-06-01",
            "2023-07-15",
            "2023-09-25",
            "2023-11-30",
            "2024-04-30",
            "2024-05-15",
            amounts=(5200000, 4990000, 4990000),
        ),
    ),
    (
        "4",
        "4830202",
        "water",
        "check_dam",
        "ก่อสร้างฝายชะลอน้ำ คลองกะทู้",
        2568,
        "ยุทธศาสตร์ที่ 2 หน้า 20 ลำดับ 4",
        320000,
        Point(98.3330, 7.9100),
        stages("2024-05-10", "2024-06-28", "2024-09-18", amounts=(320000, None, None)),
    ),
    (
        "5",
        "6830304",
        "water",
        "well",
        "ขุดเจาะบ่อบาดาล หมู่ที่ 3 บ้านบางเทา",
        2569,
        "ยุทธศาสตร์ที่ 3 หน้า 8 ลำดับ 2",
        480000,
        Point(98.3050, 8.0000),
        stages("2025-06-20"),
    ),
    (
        "6",
        "2830101",
        "road",
        "asphalt_road",
        "ก่อสร้างถนนลาดยาง สายบ้านพารา - บ้านป่าคลอก",
        2568,
        "ยุทธศาสตร์ที่ 1 หน้า 60 ลำดับ 12",
        12500000,
        LineString([(98.3960, 8.0600), (98.4070, 8.0400), (98.4100, 8.0250)]),
        stages(
            "2024-06-01", "2024-07-10", "2024-09-15", "2025-01-20", "2025-06-30", amounts=(12500000, 11800000, 6000000)
        ),
    ),
    (
        "7",
        "4820501",
        "road",
        "concrete_road",
        "ก่อสร้างถนน คสล. ซอยศรีตะกั่วป่า",
        2568,
        "ยุทธศาสตร์ที่ 1 หน้า 22 ลำดับ 5",
        960000,
        LineString([(98.3400, 8.8650), (98.3445, 8.8625)]),
        stages("2024-06-10", "2024-07-05", "2024-09-20", amounts=(960000, None, None)),
    ),
    (
        "8",
        "5820801",
        "water",
        "water_supply",
        "ก่อสร้างระบบประปาหมู่บ้าน หมู่ที่ 5",
        2569,
        "ยุทธศาสตร์ที่ 2 หน้า 15 ลำดับ 2",
        1750000,
        Point(98.2600, 8.3950),
        stages("2025-05-30", "2025-07-01"),
    ),
    (
        "9",
        "6820505",
        "water",
        "canal_dredging",
        "ขุดลอกคลองบางม่วง",
        2567,
        "ยุทธศาสตร์ที่ 2 หน้า 18 ลำดับ 6",
        650000,
        LineString([(98.2900, 8.8500), (98.2930, 8.8470), (98.2960, 8.8440)]),
        stages(
            "2023-06-01",
            "2023-07-01",
            "2023-09-20",
            "2023-12-15",
            "2024-03-30",
            "2024-04-10",
            amounts=(650000, 630000, 630000),
        ),
    ),
    (
        "10",
        "5830308",
        "road",
        "drainage",
        "ก่อสร้างรางระบายน้ำ คสล. ซอยป่าคลอก 5",
        2569,
        "ยุทธศาสตร์ที่ 1 หน้า 40 ลำดับ 9",
        1100000,
        LineString([(98.3980, 8.0120), (98.4010, 8.0100)]),
        stages(),
    ),
]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    records = []
    for ref, lao, kind, subtype, name, fy, plan, budget, geom, st in PROJECTS:
        records.append(
            {
                "ref": ref,
                "lao_code": lao,
                "kind": kind,
                "subtype": subtype,
                "name": name,
                "fy": fy,
                "plan_ref": plan,
                "budget": float(budget),
                **st,
                "geometry": geom,
            }
        )
    gdf = gpd.GeoDataFrame(records, geometry="geometry", crs="EPSG:4326")
    for suffix, types in (("points", ("Point",)), ("lines", ("LineString",))):
        part = gdf[gdf.geometry.geom_type.isin(types)]
        part.to_file(OUT / f"projects_{suffix}.shp", encoding="utf-8", engine="pyogrio")
        print(f"wrote {len(part)} {suffix}")


if __name__ == "__main__":
    main()
