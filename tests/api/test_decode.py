from __future__ import annotations

import string

import orjson
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smstools_tui.api import decode
from smstools_tui.api.decode import (
    MAX_ITEMS,
    MAX_NESTING,
    MAX_VALUE_LENGTH,
    MAX_VALUES,
    RECEIVED_FIELDS,
    SENT_FIELDS,
    decode_error_body,
    decode_items,
    decode_object,
    decode_page,
    parse_body,
)
from smstools_tui.errors import DecodeError, RefusedAnswerError, UnsafeXmlError
from smstools_tui.frames import STATUSES, received_frame, sent_frame
from smstools_tui.sandbox import XmlStyle, encode_xml_page

META = "<metadata><count>{count}</count><offset>0</offset><limit>20</limit></metadata>"


def xml(body: str, count: int = 1) -> bytes:
    return f'<?xml version="1.0"?><anyRoot>{META.format(count=count)}{body}</anyRoot>'.encode()


def test_json_page() -> None:
    page = decode_page(
        b'{"metadata":{"count":2,"offset":0,"limit":20},"smsList":[{"id":1},{"id":2}]}',
        SENT_FIELDS,
    )
    assert (page.count, page.offset, page.limit) == (2, 0, 20)
    assert page.items == [{"id": 1}, {"id": 2}]


@pytest.mark.parametrize(
    "body",
    [
        "<smsList><sms><id>1</id><text>a</text></sms><sms><id>2</id><text>b</text></sms></smsList>",
        "<smsList><item><id>1</id><text>a</text></item><item><id>2</id><text>b</text></item></smsList>",
        "<smsList><id>1</id><text>a</text></smsList><smsList><id>2</id><text>b</text></smsList>",
        "<smsList>\n  <sms>\n    <id>1</id>\n    <text>a</text>\n  </sms>\n  <sms><id>2</id><text>b</text></sms>\n</smsList>",
    ],
    ids=["wrapped-sms", "wrapped-item", "repeated", "pretty-printed"],
)
def test_xml_envelopes_whatever_their_names(body: str) -> None:
    page = decode_page(xml(body, 2), SENT_FIELDS)
    assert page.count == 2
    assert [(item["id"], item["text"]) for item in page.items] == [("1", "a"), ("2", "b")]


@pytest.mark.parametrize(
    "body",
    [
        "<smsList><sms><id>7</id></sms></smsList>",
        "<smsList><id>7</id></smsList>",
    ],
)
def test_xml_one_item_list(body: str) -> None:
    assert decode_page(xml(body), SENT_FIELDS).items == [{"id": "7"}]


@pytest.mark.parametrize("body", ["<smsList/>", "<smsList></smsList>", "<smsList>\n</smsList>", ""])
def test_xml_empty_list(body: str) -> None:
    assert decode_page(xml(body, 0), SENT_FIELDS).items == []


def test_xml_absent_elements_and_text_values() -> None:
    page = decode_page(
        xml("<smsList><sms><id>7</id><price>0.0945</price><text/></sms></smsList>"), SENT_FIELDS
    )
    assert page.items == [{"id": "7", "price": "0.0945", "text": None}]
    frame = sent_frame(page.items)
    assert frame.loc[0, "price"] == 0.0945 and pd.isna(frame.loc[0, "text"])


def test_xml_keeps_whitespace_and_line_breaks_in_texts() -> None:
    page = decode_page(
        xml("<smsList><sms><text>  two\nlines&#13;\n </text></sms></smsList>"), SENT_FIELDS
    )
    assert page.items[0]["text"] == "  two\nlines\r\n "


def test_xml_element_with_attributes_gives_its_text() -> None:
    page = decode_page(
        xml('<smsList><sms><text lang="it">ciao</text></sms></smsList>'), SENT_FIELDS
    )
    assert page.items == [{"text": "ciao"}]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<r><metadata><count>1</count></metadata><smsList><sms><text>&lol9;</text></sms></smsList></r>"""


def test_entity_bomb_is_refused_not_expanded() -> None:
    with pytest.raises(UnsafeXmlError, match="DTD or entities") as caught:
        decode_page(BILLION_LAUGHS, SENT_FIELDS, endpoint="/sms/search", offset=40)
    assert "/sms/search" in str(caught.value) and "offset 40" in str(caught.value)


def test_external_entities_and_bare_doctypes_are_refused() -> None:
    external = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>'
    )
    with pytest.raises(UnsafeXmlError):
        decode_page(external, SENT_FIELDS)
    with pytest.raises(UnsafeXmlError):
        decode_page(b'<!DOCTYPE r SYSTEM "http://evil.example/r.dtd"><r/>', SENT_FIELDS)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "the body is empty"),
        (b'{"metadata": {"count": 1', "invalid JSON"),
        (b"<r><metadata><count>1</count>", "invalid XML"),
        (b"<html><body>502 Bad Gateway</body></html>", "no metadata"),
        (b"Service Unavailable", "neither JSON nor XML"),
        (b'{"smsList": []}', "no metadata"),
        (b'{"metadata": {"count": "many"}, "smsList": []}', "not a whole number"),
        (b'{"metadata": {"count": -1}, "smsList": []}', "negative"),
        (b'{"metadata": {"count": 1}, "smsList": 5}', "expected a list"),
    ],
)
def test_undecodable_bodies_name_the_endpoint_and_offset(body: bytes, reason: str) -> None:
    with pytest.raises(DecodeError, match=reason) as caught:
        decode_page(body, SENT_FIELDS, endpoint="/sms/search", offset=500)
    message = str(caught.value)
    assert message.startswith("unreadable answer from /sms/search at offset 500")
    assert "\n" not in message


def test_bom_and_leading_whitespace_are_tolerated() -> None:
    page = decode_page(b'\xef\xbb\xbf \n{"metadata":{"count":0},"smsList":[]}', SENT_FIELDS)
    assert page.count == 0 and page.items == []


def test_lists_and_objects() -> None:
    services = b'[{"id":"1001","sim":"393399999999","key":null,"expirationDate":"2027-01-01T00:00:00+0100"}]'
    assert decode_items(services, frozenset({"id", "sim"}))[0]["sim"] == "393399999999"
    as_xml = b"<simList><item><id>1001</id><sim>3933</sim></item></simList>"
    assert decode_items(as_xml, frozenset({"id", "sim"})) == [{"id": "1001", "sim": "3933"}]
    user = b"<user><name>Maria</name><senderAlias><item>A</item><item>B</item></senderAlias></user>"
    assert decode_object(user) == {"name": "Maria", "senderAlias": {"item": ["A", "B"]}}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"errorMsg":"BAD_CREDENTIALS","errorCode":401}', (401, "BAD_CREDENTIALS")),
        (
            b"<error><errorCode>400</errorCode><errorMsg>BAD_DATE</errorMsg></error>",
            (400, "BAD_DATE"),
        ),
        (b"<html>oops</html>", (None, None)),
        (b"", (None, None)),
    ],
)
def test_error_bodies(body: bytes, expected: tuple[int | None, str | None]) -> None:
    assert decode_error_body(body) == expected


# -- JSON and XML give identical frames, whatever the records ---------------------------------

# XML 1.0 cannot carry most control characters at all; everything else must survive.
xml_text = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",),
        blacklist_characters="".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r")
        + "\ufffe\uffff",
    ),
    max_size=40,
)
api_date = st.datetimes(
    min_value=pd.Timestamp("2000-01-01").to_pydatetime(),
    max_value=pd.Timestamp("2035-12-31").to_pydatetime(),
).map(lambda moment: moment.replace(microsecond=0))
offsets = st.sampled_from(["+0100", "+0200", "+0000", "-0500", "+0530"])


def optional(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.none() | strategy


sent_records = st.fixed_dictionaries(
    {
        "id": st.integers(1, 2**62),
        "to": st.text(string.digits, min_size=5, max_size=15),
        "text": optional(xml_text),
        "from": optional(xml_text),
        "status": st.sampled_from(STATUSES),
        "insertDate": st.builds(
            lambda d, o: d.strftime("%Y-%m-%dT%H:%M:%S") + o, api_date, offsets
        ),
        "sentDate": optional(
            st.builds(lambda d, o: d.strftime("%Y-%m-%dT%H:%M:%S") + o, api_date, offsets)
        ),
        "deliveryDate": optional(
            st.builds(lambda d, o: d.strftime("%Y-%m-%dT%H:%M:%S") + o, api_date, offsets)
        ),
        "transactionId": optional(
            st.text(string.ascii_letters + string.digits + "-_", max_size=32)
        ),
        "price": st.floats(0, 100, allow_nan=False),
    }
)
received_records = st.fixed_dictionaries(
    {
        "from": st.text(string.digits, min_size=5, max_size=15).map(lambda n: "+" + n),
        "text": optional(xml_text),
        "receiveDate": st.builds(
            lambda d, o: d.strftime("%Y-%m-%dT%H:%M:%S") + o, api_date, offsets
        ),
        "simId": optional(st.integers(1, 10**6).map(str)),
    }
)
styles = st.builds(
    XmlStyle,
    root=st.sampled_from(["response", "smsSearchResult", "ns2:result", "x"]),
    item=st.sampled_from([None, "sms", "item", "smsDTO"]),
)


def as_json(records: list[dict]) -> bytes:
    return orjson.dumps(
        {"metadata": {"count": len(records), "offset": 0, "limit": 500}, "smsList": records}
    )


def as_xml(records: list[dict], style: XmlStyle) -> bytes:
    return encode_xml_page({"count": len(records), "offset": 0, "limit": 500}, records, style)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=st.lists(sent_records, max_size=6), style=styles)
def test_json_and_xml_sent_frames_are_identical(records: list[dict], style: XmlStyle) -> None:
    from_json = sent_frame(decode_page(as_json(records), SENT_FIELDS).items)
    from_xml = sent_frame(decode_page(as_xml(records, style), SENT_FIELDS).items)
    pd.testing.assert_frame_equal(from_json, from_xml)
    assert len(from_json) == len(records)


@settings(max_examples=100, deadline=None)
@given(records=st.lists(received_records, max_size=6), style=styles)
def test_json_and_xml_received_frames_are_identical(records: list[dict], style: XmlStyle) -> None:
    from_json = received_frame(decode_page(as_json(records), RECEIVED_FIELDS).items)
    from_xml = received_frame(decode_page(as_xml(records, style), RECEIVED_FIELDS).items)
    pd.testing.assert_frame_equal(from_json, from_xml)


# -- bounds: structure where a value belongs, nesting, items, values, value length -------------


def json_page(items: bytes, count: int = 1) -> bytes:
    return b'{"metadata":{"count":%d,"offset":0,"limit":20},"smsList":[%s]}' % (count, items)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (json_page(b'{"id":1,"text":{"a":1}}'), "field 'text' holds an object where a single value"),
        (json_page(b'{"id":1,"text":["a","b"]}'), "field 'text' holds a list where a single value"),
        (json_page(b'{"id":1,"price":[]}'), "field 'price' holds a list"),
        (xml("<smsList><sms><id>1</id><text><b>x</b></text></sms></smsList>"),
         "field 'text' holds elements where a single value belongs"),
        (xml("<smsList><id>1</id><text><b/></text></smsList>"), "field 'text' holds elements"),
        (xml("<smsList><sms><id>1</id><id>2</id></sms></smsList>"),
         "field 'id' appears more than once in one message"),
    ],
    ids=["json-object", "json-list", "json-empty-list", "xml-wrapped", "xml-repeated-form",
         "xml-repeated-field"],
)  # fmt: skip
def test_structure_where_a_value_belongs_is_refused_naming_the_field(
    body: bytes, message: str
) -> None:
    with pytest.raises(RefusedAnswerError, match=message) as caught:
        decode_page(body, SENT_FIELDS, endpoint="/sms/search", offset=40)
    assert str(caught.value).startswith("unreadable answer from /sms/search at offset 40: ")


def test_unknown_fields_keep_only_values() -> None:
    page = decode_page(json_page(b'{"id":1,"extra":{"a":[1]},"note":"n"}'), SENT_FIELDS)
    assert page.items == [{"id": 1, "extra": None, "note": "n"}]
    page = decode_page(
        xml("<smsList><sms><id>1</id><extra><a/></extra></sms></smsList>"), SENT_FIELDS
    )
    assert page.items == [{"id": "1", "extra": None}]


def test_brackets_and_quotes_inside_texts_are_text() -> None:
    items = [{"id": 1, "text": '[promo] {"x": [1, 2]} \\" ,,, ]]}}'}, {"id": 2, "text": "{"}]
    page = decode_page(orjson.dumps({"metadata": {"count": 2}, "smsList": items}), SENT_FIELDS)
    assert page.items == items


def nested_json(levels: int) -> bytes:
    return (
        b'{"metadata":{"count":0,"x":'
        + b"[" * (levels - 2)
        + b"]" * (levels - 2)
        + b'},"smsList":[]}'
    )


def test_json_nesting_is_bounded() -> None:
    assert decode_page(nested_json(MAX_NESTING), SENT_FIELDS).count == 0
    with pytest.raises(RefusedAnswerError, match=f"nested deeper than {MAX_NESTING} levels"):
        decode_page(nested_json(MAX_NESTING + 1), SENT_FIELDS)
    with pytest.raises(RefusedAnswerError, match="nested deeper"):
        decode_object(b'{"user":' + b"[" * 40 + b"]" * 40 + b"}")


def nested_xml(levels: int) -> bytes:
    return b"<r>" + b"<a>" * (levels - 1) + b"</a>" * (levels - 1) + b"</r>"


def test_xml_nesting_is_bounded() -> None:
    parse_body(nested_xml(MAX_NESTING))
    with pytest.raises(RefusedAnswerError, match=f"nested deeper than {MAX_NESTING} levels"):
        parse_body(nested_xml(MAX_NESTING + 1))


def test_a_million_nested_elements_are_refused_before_they_are_built() -> None:
    # 7 MB: refused after the first chunk, not after building a million mappings.
    with pytest.raises(RefusedAnswerError, match="nested deeper"):
        decode_page(
            xml(
                "<smsList><sms><text>"
                + "<a>" * 1_000_000
                + "</a>" * 1_000_000
                + "</text></sms></smsList>"
            ),
            SENT_FIELDS,
        )


def test_items_in_one_list_are_bounded() -> None:
    full = json_page(b",".join([b'{"id":1}'] * MAX_ITEMS), count=MAX_ITEMS)
    assert len(decode_page(full, SENT_FIELDS).items) == MAX_ITEMS
    with pytest.raises(
        RefusedAnswerError, match=f"field 'smsList' holds more than {MAX_ITEMS:,} items"
    ):
        decode_page(json_page(b",".join([b'{"id":1}'] * (MAX_ITEMS + 1))), SENT_FIELDS)
    with pytest.raises(
        RefusedAnswerError, match=f"field 'text' holds more than {MAX_ITEMS:,} items"
    ):
        decode_page(json_page(b'{"id":1,"text":[' + b"1," * MAX_ITEMS + b"1]}"), SENT_FIELDS)


def test_items_in_one_element_are_bounded() -> None:
    many = "<i>1</i><i>2</i>" * (MAX_ITEMS // 2)
    assert len(parse_body(f"<r>{many}</r>".encode())["r"]["i"]) == MAX_ITEMS
    with pytest.raises(RefusedAnswerError, match="more than 100,000 elements named 'i'"):
        parse_body(f"<r>{many}<i>3</i></r>".encode())
    distinct = "".join(f"<f{n}/>" for n in range(MAX_ITEMS + 1))
    with pytest.raises(RefusedAnswerError, match="more than 100,000 different elements"):
        parse_body(f"<r>{distinct}</r>".encode())


def test_values_in_one_body_are_bounded() -> None:
    chunk = b"[" + b"0," * 49_999 + b"0]"
    lists = MAX_VALUES // 50_000 + 1
    with pytest.raises(RefusedAnswerError, match=f"more than {MAX_VALUES:,} values"):
        parse_body(b"[" + b",".join([chunk] * lists) + b"]")
    with pytest.raises(RefusedAnswerError, match=f"more than {MAX_VALUES:,} elements"):
        parse_body(b"<r>" + (b"<a>" + b"<b/>" * 50_000 + b"</a>") * lists + b"</r>")


def test_values_are_bounded_in_length() -> None:
    text = "x" * MAX_VALUE_LENGTH
    assert (
        len(decode_page(json_page(b'{"text":"%s"}' % text.encode()), SENT_FIELDS).items[0]["text"])
        == MAX_VALUE_LENGTH
    )
    assert (
        len(
            decode_page(xml(f"<smsList><text>{text}</text></smsList>"), SENT_FIELDS).items[0][
                "text"
            ]
        )
        == MAX_VALUE_LENGTH
    )
    with pytest.raises(RefusedAnswerError, match="a value is longer than 1,048,576 bytes"):
        decode_page(json_page(b'{"text":"%sx"}' % text.encode()), SENT_FIELDS)
    with pytest.raises(RefusedAnswerError, match="a value is longer than 1,048,576 characters"):
        decode_page(xml(f"<smsList><text>{text}x</text></smsList>"), SENT_FIELDS)
    # Escaped quotes do not end a string: the whole of it is measured.
    escaped = b'\\"' * (MAX_VALUE_LENGTH // 2 + 1)
    with pytest.raises(RefusedAnswerError, match="longer than"):
        decode_page(json_page(b'{"text":"%s"}' % escaped), SENT_FIELDS)


def test_a_bound_refusal_is_not_mistaken_for_a_cut_transfer() -> None:
    # Cut short, the same body is merely unreadable (and retried); whole, it is refused.
    body = json_page(b'{"id":1,"text":[' + b"1," * MAX_ITEMS + b"1]}")
    with pytest.raises(DecodeError) as caught:
        decode_page(body[: len(body) // 2], SENT_FIELDS)
    assert not isinstance(caught.value, RefusedAnswerError)
    assert issubclass(UnsafeXmlError, RefusedAnswerError)


def test_xml_read_in_tiny_chunks_reads_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    body = encode_xml_page(
        {"count": 2, "offset": 0, "limit": 20},
        [{"id": 1, "text": "è & <tag> " * 3}, {"id": 2, "text": "  two\nlines\r "}],
    )
    whole = decode_page(body, SENT_FIELDS).items
    monkeypatch.setattr(decode, "_parse_plain_xml", lambda body, begin: None)
    monkeypatch.setattr(decode, "_XML_CHUNK", 3)  # the streaming reader, three bytes at a time
    assert decode_page(body, SENT_FIELDS).items == whole
    assert whole[0]["text"] == "è & <tag> " * 3


@settings(max_examples=50, deadline=None)
@given(records=st.lists(sent_records, max_size=6), style=styles)
def test_a_usual_page_takes_the_vectorised_path(records: list[dict], style: XmlStyle) -> None:
    body = as_xml(records, style)
    plain = decode._parse_plain_xml(body, 0)
    assert plain is not None
    assert plain[0] == decode._stream_xml(body, 0)[0]
