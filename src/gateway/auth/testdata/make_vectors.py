#!/usr/bin/python3
"""Signed request vectors made by Python itself, for the gateway's auth tests.

Prints one JSON object per line:
  {"name", "body_hex", "ok", "canonical_hex", "method", "path", "timestamp", "did", "signature"}
where body_hex is the exact request body, canonical_hex is
json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")) as an
existing Aura client computes it, and signature is the PyNaCl Ed25519
signature over METHOD + PATH + TIMESTAMP + sha256(canonical).hexdigest().
"ok" is false when Python's json.loads rejects the body (no signature then).
Names starting with "deviation_" are bodies Python accepts and the gateway
deliberately rejects (not UTF-8).

Deterministic: fixed seeds for keys and for the random documents.
Run with /usr/bin/python3 (Debian's, which has python3-nacl).
"""
import hashlib
import json
import math
import random
import struct
import sys

from nacl.signing import SigningKey

TIMESTAMP = "1700000000"


def canonical(body: bytes) -> str:
    if not body:
        return ""
    return json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"))


def fixed_bodies():
    """Hand-picked tricky bodies: (name, text or bytes)."""
    b = []
    add = lambda name, body: b.append((name, body))
    add("empty", "")
    add("negotiate", '{"item_id": "hotel_alpha", "bid_amount": 850.0, "currency": "USD", "agent_did": "did:key:abc"}')
    add("search", '{"query": "cozy room near the sea", "limit": 3, "min_similarity": 0}')
    add("unicode_bmp", '{"name": "Caf\u00e9 \u00fcber \u4e2d\u6587 \u20ac", "x": "\u2028\u2029"}')
    add("emoji_raw", '{"msg": "deal \U0001F600\U0001F389 ok", "flag": "\U0001F1EB\U0001F1F7"}')
    add("emoji_escaped", '{"msg": "\\ud83d\\ude00", "low_first": "\\ude00\\ud83d"}')
    add("lone_surrogates", '{"a": "\\ud800", "b": "x\\udfff", "c": "\\ud800\\ud800"}')
    add("non_bmp_cjk", '{"\U00020000": 1, "\U0010FFFF": 2, "\uFFFF": 3, "\uE000": 4, "\uD7FF": 5}')
    add("floats_basic", '[850.0, 0.1, 0.5, 1.5, -2.25, 100.0, 3.14159]')
    add("floats_long", '[123456789.123456789, 0.30000000000000004, 1.7976931348623157e308, 2.2250738585072014e-308]')
    add("floats_exponent", '[1e16, 1e15, 9999999999999998.0, 1e-5, 0.0001, 0.00001, 1e-4, 1.5e300, 1E5, 1.0e2, 1e+2, 1e-2]')
    add("floats_zero", '[0.0, -0.0, 0e0, -0e-0, 0.000]')
    add("floats_tiny", '[5e-324, 2.5e-324, 1e-400, -1e-400, 4.9406564584124654e-324]')
    add("floats_overflow", '[1e400, -1e400, 1.7976931348623159e308, 1e99999999999]')
    add("nan_inf", '[NaN, Infinity, -Infinity, {"x": NaN}]')
    add("float_many_digits", '[' + '1' * 400 + '.5, 0.' + '0' * 330 + '1, 3.' + '3' * 800 + ']')
    add("integers_big", '[0, -0, 1, -1, 9007199254740993, 18446744073709551616, -' + '9' * 300 + ', ' + '7' * 4300 + ']')
    add("integer_too_long", '1' * 4301)
    add("float_huge_text", '1' * 5000 + '.0')
    add("nested", '{"a": {"b": {"c": [1, [2, [3, {"d": {}}]], []]}}, "e": [[], {}]}')
    add("escapes", '{"s": "quote\\" backslash\\\\ slash\\/ \\b\\f\\n\\r\\t \\u0000 \\u001f \\u007f \\u0080 \\u00ff"}')
    add("raw_del_and_high", '{"s": "del\x7f tilde~ "}')
    add("duplicates", '{"a": 1, "b": 2, "a": 3, "c": {"x": 1, "x": [2]}, "b": null}')
    add("whitespace", ' \n\t\r{ "b" :\n[ 1 ,\t2 ] ,\r\n "a" : { } }\n\n ')
    add("key_order", '{"b": 1, "a": 2, "B": 3, "_": 4, "aa": 5, "a\u00e9": 6, "a\U0001F600": 7, "a\uFFFF": 8, "": 9, "10": 10, "9": 11}')
    add("key_order_surrogates", '{"\\ud800": 1, "\U0001F600": 2, "\uFFFF": 3, "\uE000": 4, "\\udfff": 5, "\uD7FF": 6, "\\ud83d": 7}')
    add("literals", '[true, false, null, "true", []]')
    add("top_scalars_string", '"just a string"')
    add("top_scalar_number", '42')
    add("top_scalar_float", '  4.2e1  ')
    add("top_null", 'null')
    add("bool_and_ints_mixed", '{"limit": 3, "limit2": 3.0, "neg": -17, "exp_int": 1e3}')
    add("error_trailing_comma", '[1, 2,]')
    add("error_trailing_garbage", '{"a": 1} x')
    add("error_leading_zero", '01')
    add("error_single_quote", "{'a': 1}")
    add("error_control_char", '{"a": "tab\there"}')
    add("error_unterminated", '{"a": "b')
    add("error_bad_escape", '"\\x41"')
    add("error_bad_unicode_escape", '"\\u12G4"')
    add("error_lowercase_nan", '[nan]')
    add("error_plus_number", '[+1]')
    add("error_dot_number", '[.5]')
    add("error_whitespace_only", '   ')
    add("error_vertical_tab", '\x0b1')
    add("error_invalid_utf8", b'{"a": "\xff"}')
    add("error_overlong_utf8", b'{"a": "\xc0\xaf"}')
    add("error_truncated_utf8", b'{"a": "\xe2\x82"}')
    add("bom", b'\xef\xbb\xbf{"a": 1}')
    # Python decodes bytes with 'surrogatepass' and sniffs UTF-16/32; the
    # gateway insists on UTF-8 (RFC 8259), so these are deliberate deviations.
    add("deviation_raw_surrogate", b'{"a": "\xed\xa0\x80"}')
    add("deviation_utf16", '{"a": 1}'.encode("utf-16-le"))
    add("error_missing_colon", '{"a" 1}')
    add("error_nonstring_key", '{1: 2}')
    return b


def random_string(rng):
    pools = [
        "abcdefghijklmnopqrstuvwxyz ABC_-0123456789",
        "\"\\/\b\f\n\r\t\x00\x01\x1f\x7f",
        "\u00e9\u00fc\u00df\u0416\u05d0\u0627\u4e2d\u6587\u3042\uac00\u20ac\u2028\ufeff\uffff\ue000\ud7ff",
        "\U0001F600\U0001F389\U00010000\U0010FFFF\U00020000\U0001D11E",
    ]
    n = rng.randint(0, 12)
    return "".join(rng.choice(rng.choice(pools)) for _ in range(n))


def random_float(rng):
    kind = rng.randint(0, 6)
    if kind == 0:
        # Any finite double from random bits.
        while True:
            x = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
            if math.isfinite(x):
                return repr(x)
    if kind == 1:
        return repr(round(rng.uniform(-2000, 2000), rng.randint(0, 6)))
    if kind == 2:
        # Decimal text with many digits and an exponent.
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 40)))
        frac = "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 30)))
        return "%s%s.%se%s%d" % (rng.choice(["", "-"]), digits.lstrip("0") or "0", frac,
                                  rng.choice(["", "+", "-"]), rng.randint(0, 330))
    if kind == 3:
        return repr(10.0 ** rng.randint(-8, 20) * rng.choice([1, -1, 1.5, 9.999]))
    if kind == 4:
        return "%d.%d" % (rng.randint(0, 10**17), rng.randint(0, 10**9))
    if kind == 5:
        return "%de%d" % (rng.randint(0, 999), rng.randint(-30, 30))
    return rng.choice(["0.0", "-0.0", "1e16", "1e-05", "0.0001", "123456789.123456789", "1e22", "5e-324"])


def random_value(rng, depth):
    kind = rng.randint(0, 8 if depth < 4 else 5)
    if kind == 0:
        return json.dumps(random_string(rng), ensure_ascii=rng.random() < 0.5)
    if kind == 1:
        return random_float(rng)
    if kind == 2:
        return str(rng.randint(-10**rng.randint(1, 60), 10**rng.randint(1, 60)))
    if kind == 3:
        return rng.choice(["true", "false", "null"])
    if kind == 4:
        return random_float(rng)
    if kind == 5:
        return json.dumps(random_string(rng), ensure_ascii=False)
    ws = lambda: rng.choice(["", "", " ", "\n", "\t", " \r\n "])
    if kind == 6:
        items = [random_value(rng, depth + 1) for _ in range(rng.randint(0, 5))]
        return "[" + ws() + ("," + ws()).join(items) + ws() + "]"
    members = []
    for _ in range(rng.randint(0, 6)):
        key = json.dumps(random_string(rng) if rng.random() < 0.7 else rng.choice(["a", "b", "id"]),
                         ensure_ascii=rng.random() < 0.5)
        members.append(key + ws() + ":" + ws() + random_value(rng, depth + 1))
    return "{" + ws() + ("," + ws()).join(members) + ws() + "}"


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    keys = [SigningKey(bytes([i + 1]) * 32) for i in range(3)]
    rng = random.Random(20261124)
    bodies = fixed_bodies()
    for i in range(count):
        bodies.append(("random_%d" % i, random_value(rng, 0)))
    for i, (name, body) in enumerate(bodies):
        raw = body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")
        out = {"name": name, "body_hex": raw.hex()}
        try:
            canon = canonical(raw)
        except (ValueError, RecursionError):
            out["ok"] = False
            print(json.dumps(out))
            continue
        key = keys[i % len(keys)]
        method, path = ("POST", "/v1/negotiate") if i % 2 == 0 else ("POST", "/v1/search")
        message = method + path + TIMESTAMP + hashlib.sha256(canon.encode()).hexdigest()
        signature = key.sign(message.encode()).signature.hex()
        did = "did:key:" + key.verify_key.encode().hex()
        if i % 5 == 0:
            signature = signature.upper()
            did = "did:key:" + key.verify_key.encode().hex().upper()
        out.update(ok=True, canonical_hex=canon.encode().hex(), method=method, path=path,
                   timestamp=TIMESTAMP, did=did, signature=signature)
        print(json.dumps(out))


if __name__ == "__main__":
    main()
