#!/usr/bin/env python3
"""Writes a customer file for the import benchmark: ROWS rows, SHARE of them
customers already on file in the given SQLite database (their mobile, some with a
new vehicle), the rest new customers with a new mobile and vehicle. Deterministic.

usage: import_file.py DB_PATH OUT_CSV [ROWS=100000] [SHARE=0.3]
"""
import csv
import random
import sqlite3
import sys

WEIGHTS = [8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2]
VALUES = {**{str(d): d for d in range(10)}, **dict(zip("ABCDEFGH", range(1, 9))), **dict(zip("JKLMN", range(1, 6))),
          "P": 7, "R": 9, **dict(zip("STUVWXYZ", range(2, 10)))}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强海燕玉兰红梅晓东春生宇航子涵欣怡浩然梓轩一鸣"
PROVINCE_PLATES = "沪苏浙皖京粤川鲁豫鄂湘"
COLORS = ["白色", "黑色", "银色", "灰色", "蓝色", "红色"]


def vin(rng: random.Random, taken: set) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
    while True:
        body = "LDY" + "".join(rng.choice(alphabet) for _ in range(5)) + "0" + "R" + "".join(rng.choice(alphabet) for _ in range(7))
        s = sum(VALUES[c] * w for c, w in zip(body, WEIGHTS)) % 11
        v = body[:8] + ("X" if s == 10 else str(s)) + body[9:]
        if v not in taken:
            taken.add(v)
            return v


def main() -> None:
    db_path, out = sys.argv[1], sys.argv[2]
    rows = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
    share = float(sys.argv[4]) if len(sys.argv) > 4 else 0.3
    rng = random.Random(4711)
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    existing_n = int(rows * share)
    known = [r[0] for r in con.execute(
        "SELECT value FROM contact_point WHERE kind = 'mobile' ORDER BY id LIMIT ?", (existing_n * 3,))]
    known = rng.sample(known, min(existing_n, len(known)))
    taken_mobiles = {r[0] for r in con.execute("SELECT value FROM contact_point WHERE kind = 'mobile'")}
    taken_vins = {r[0] for r in con.execute("SELECT vin FROM vehicle")}
    models = [r[0] for r in con.execute("SELECT code FROM vehicle_model WHERE active = 1 LIMIT 50")]
    con.close()
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["姓名", "手机", "车架号", "车牌号", "车型", "颜色", "购车日期", "城市"])
        existing = iter(known)
        for i in range(rows):
            name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
            mobile = next(existing, None) if i % max(1, round(1 / share)) == 0 else None
            if mobile is None:
                while True:
                    mobile = "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))
                    if mobile not in taken_mobiles:
                        taken_mobiles.add(mobile)
                        break
            has_car = rng.random() < 0.8
            plate = rng.choice(PROVINCE_PLATES) + rng.choice("ABCDEFGH") + "".join(rng.choice("0123456789") for _ in range(5))
            w.writerow([
                name,
                mobile,
                vin(rng, taken_vins) if has_car else "",
                plate if has_car and rng.random() < 0.7 else "",
                rng.choice(models) if has_car and models else "",
                rng.choice(COLORS) if has_car else "",
                f"20{rng.randint(15, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" if has_car else "",
                rng.choice(["上海", "杭州", "南京", "苏州", "合肥"]),
            ])


if __name__ == "__main__":
    main()
