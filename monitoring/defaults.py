"""DLA's default fiscal-year calendar (national items), loaded by migration 0002 and by the
re-runnable command ``load_calendar`` (which puts changed national default items back as below and
leaves provincial items and other national items alone).

The monthly calendar of DLA's letters: October — last year's data through disbursement for every
LAO; November–February — vision, strategies and the development plan; March–April — budget
ordinances and second-quarter commitments; May–June — every LAO has reached the second-quarter
disbursement; July–August — the third quarter; September — finish the year. The shares of projects
are DLA's defaults, to be adjusted on the calendar page. The six score items (deadlines only, no
period; the keys the score always had) carry the 50 points of the province score (reports.score).
"""

MONTHLY = [
    # key, title_th, title_en, stage, share, project_year_offset, (start m, d, offset), (due m, d, offset)
    (
        "last_year_through_disbursement",
        "บันทึกข้อมูลปีที่แล้วจนถึงการเบิกจ่ายให้ครบทุก อปท.",
        "Finish last year's data through disbursement for every LAO",
        5,
        100,
        -1,
        (10, 1, 0),
        (10, 31, 0),
    ),
    (
        "development_plan",
        "วิสัยทัศน์ ยุทธศาสตร์ และแผนพัฒนาท้องถิ่น (โครงการอยู่ในแผน)",
        "Vision, strategies and the development plan (projects in the plan)",
        1,
        100,
        0,
        (11, 1, 0),
        (2, 31, 1),
    ),
    (
        "budget_ordinance",
        "ข้อบัญญัติงบประมาณผ่านสภาท้องถิ่น",
        "Budget ordinances passed by the council",
        3,
        100,
        0,
        (3, 1, 1),
        (4, 30, 1),
    ),
    (
        "q2_commitments",
        "ก่อหนี้ผูกพันและเบิกจ่ายไตรมาสที่ 2",
        "Second-quarter commitments and disbursements",
        4,
        50,
        0,
        (3, 1, 1),
        (4, 30, 1),
    ),
    (
        "q2_disbursement_check",
        "ตรวจสอบว่าทุก อปท. เบิกจ่ายไตรมาสที่ 2 แล้ว",
        "Every LAO has reached the second-quarter disbursement",
        5,
        25,
        0,
        (5, 1, 1),
        (6, 30, 1),
    ),
    (
        "q3_disbursement",
        "ก่อหนี้ผูกพันและเบิกจ่ายไตรมาสที่ 3",
        "Third-quarter commitments and disbursements",
        5,
        50,
        0,
        (7, 1, 1),
        (8, 31, 1),
    ),
    (
        "year_end",
        "ปิดปีงบประมาณ: บันทึกข้อมูลให้ครบทั้งปี",
        "Finish the year",
        5,
        75,
        0,
        (9, 1, 1),
        (9, 30, 1),
    ),
]

# The province score's deadlines and points (50 in all), as the score used before the calendar
# moved into the database.
SCORE = [
    ("plan", 1, (6, 30, 0), 5, 5),
    ("plan_approved", 2, (8, 31, 0), 4, 4),
    ("budget", 3, (9, 30, 0), 4, 4),
    ("contract", 4, (3, 31, 1), 4, 4),
    ("disbursed", 5, (9, 30, 1), 4, 4),
    ("complete", 6, (10, 10, 1), 4, 4),
]
SCORE_TITLES = {
    1: ("อยู่ในแผน", "In plan"),
    2: ("แผนได้รับอนุมัติ", "Plan approved"),
    3: ("อนุมัติงบประมาณ", "Budget approved"),
    4: ("ลงนามสัญญา", "Contract signed"),
    5: ("เบิกจ่าย", "Disbursed"),
    6: ("แล้วเสร็จ 100%", "Completed 100%"),
}


def default_items() -> list[dict]:
    """The national default items as field values (``key`` first)."""
    items = []
    for n, (key, th, en, stage, share, pyo, start, due) in enumerate(MONTHLY):
        items.append(
            {
                "key": key,
                "title_th": th,
                "title_en": en,
                "stage": stage,
                "share": share,
                "project_year_offset": pyo,
                "start_month": start[0],
                "start_day": start[1],
                "start_offset": start[2],
                "due_month": due[0],
                "due_day": due[1],
                "due_offset": due[2],
                "basis": "recorded",
                "completeness": 0,
                "timeliness": 0,
                "position": n,
            }
        )
    for n, (key, stage, due, completeness, timeliness) in enumerate(SCORE):
        th, en = SCORE_TITLES[stage]
        items.append(
            {
                "key": key,
                "title_th": f"คะแนนจังหวัด: {th}",
                "title_en": f"Province score: {en}",
                "stage": stage,
                "share": 100,
                "project_year_offset": 0,
                "start_month": None,
                "start_day": 1,
                "start_offset": 0,
                "due_month": due[0],
                "due_day": due[1],
                "due_offset": due[2],
                "basis": "recorded",
                "completeness": completeness,
                "timeliness": timeliness,
                "position": 100 + n,
            }
        )
    return items


def load(model) -> tuple[int, int]:
    """Create or put back the national default items with ``model`` (the app's, or a migration's
    historical one); returns (created, updated)."""
    created = updated = 0
    for values in default_items():
        key = values.pop("key")
        _obj, made = model.objects.update_or_create(province=None, key=key, defaults=values)
        created += made
        updated += not made
    return created, updated
