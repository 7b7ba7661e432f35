use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::map::Entry;
use serde_json::{Map, Value, json};

use super::*;
use crate::events::text_edits::{random_boundary, stretch};

/// The field map built the direct way — a `serde_json::Map` per element, filled as the scanner
/// goes — which the tree must read and serialise exactly like.
pub(crate) fn map_of(plaintext: &str) -> Result<Map<String, Value>, EventError> {
    struct Open<'a> {
        name: &'a str,
        children: Map<String, Value>,
        text: String,
    }
    fn insert(map: &mut Map<String, Value>, name: &str, value: Value) {
        let name = name.split_once(':').map_or(name, |(_, local)| local).to_owned();
        match map.entry(name) {
            Entry::Vacant(slot) => {
                slot.insert(value);
            }
            Entry::Occupied(mut slot) => match slot.get_mut() {
                Value::Array(items) => items.push(value),
                existing => {
                    let first = existing.take();
                    *existing = Value::Array(vec![first, value]);
                }
            },
        }
    }
    let mut scanner = Scanner::new(plaintext);
    let mut stack: Vec<Open<'_>> = Vec::new();
    let mut root: Option<Map<String, Value>> = None;
    let err = |at: usize, reason: String| EventError::Xml { position: at as u64, reason };
    while let Some((at, token)) = scanner.next()? {
        match token {
            Token::Start(name) => {
                if root.is_some() {
                    return Err(err(at, "content after the root element".into()));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(err(at, format!("nested deeper than {MAX_DEPTH} elements")));
                }
                stack.push(Open { name, children: Map::new(), text: String::new() });
            }
            Token::Empty(name) => match stack.last_mut() {
                Some(parent) => insert(&mut parent.children, name, Value::String(String::new())),
                None if root.is_none() => root = Some(Map::new()),
                None => return Err(err(at, "content after the root element".into())),
            },
            Token::Text(raw) => match stack.last_mut() {
                Some(open) => open.text.push_str(&xml_scan::text(raw, at)?),
                None if raw.trim().is_empty() => {}
                None => return Err(err(at, "text outside the root element".into())),
            },
            Token::CData(data) => match stack.last_mut() {
                Some(open) => open.text.push_str(data),
                None => return Err(err(at, "CDATA outside the root element".into())),
            },
            Token::End(name) => {
                let Some(done) = stack.pop() else {
                    return Err(err(at, "closing tag without an opening one".into()));
                };
                if done.name != name {
                    return Err(err(at, format!("expected </{}>, found </{name}>", done.name)));
                }
                let value = if done.children.is_empty() { Value::String(done.text) } else { Value::Object(done.children) };
                match stack.last_mut() {
                    Some(parent) => insert(&mut parent.children, name, value),
                    None => root = Some(if let Value::Object(map) = value { map } else { Map::new() }),
                }
            }
        }
    }
    if !stack.is_empty() {
        return Err(EventError::Xml { position: plaintext.len() as u64, reason: "unclosed element at end of input".into() });
    }
    root.ok_or(EventError::NotAMap { reason: "no root element" })
}

/// The tree's fields as JSON text, and as the value that text holds.
fn written(plaintext: &str) -> Result<(String, Value), EventError> {
    let tree = parse(plaintext)?;
    let text = serde_json::to_string(&RootFields(tree.root())).unwrap();
    let value = serde_json::to_value(RootFields(tree.root())).unwrap();
    Ok((text, value))
}

/// The tree agrees with the direct map on `doc`: same error, or the same JSON text and value.
fn assert_agrees(doc: &str) -> bool {
    match (written(doc), map_of(doc)) {
        (Ok((text, value)), Ok(map)) => {
            let map = Value::Object(map);
            assert_eq!(text, map.to_string(), "{doc:?}");
            assert_eq!(value, map, "{doc:?}");
            true
        }
        (Err(ours), Err(theirs)) => {
            assert_eq!(ours, theirs, "{doc:?}");
            false
        }
        (ours, theirs) => panic!("{doc:?}: tree {ours:?}, map {theirs:?}"),
    }
}

#[test]
fn text_cdata_entities_nesting_and_repeats() {
    let doc = "<?xml version=\"1.0\"?>\n<xml><A><![CDATA[x<y]]></A>\n<B>1 &amp; 2 &#x4e2d;</B><C><D>d</D><E/></C><R>1</R><R>2</R><R>3</R></xml>";
    let (text, value) = written(doc).unwrap();
    assert_eq!(value, json!({"A": "x<y", "B": "1 & 2 中", "C": {"D": "d", "E": ""}, "R": ["1", "2", "3"]}));
    assert_eq!(text, r#"{"A":"x<y","B":"1 & 2 中","C":{"D":"d","E":""},"R":["1","2","3"]}"#);
    assert!(assert_agrees(doc));
}

#[test]
fn keys_are_sorted_and_scattered_repeats_grouped_in_document_order() {
    let doc = "<xml><Z>1</Z><a:M>2</a:M><B><Y/><X>x</X></B><Z><Q>q</Q></Z><M>3</M><Z>4</Z></xml>";
    let (text, _) = written(doc).unwrap();
    assert_eq!(text, r#"{"B":{"X":"x","Y":""},"M":["2","3"],"Z":["1",{"Q":"q"},"4"]}"#);
    assert!(assert_agrees(doc));
}

#[test]
fn end_tags_read_in_one_step_agree_with_the_scanner() {
    // Quotes in a name change where its end tag ends, so those are read the long way.
    for doc in ["<xml><a\"b c\">x</a\"b></xml>\"></xml>", "<xml><a\"b\">x</a\"b></xml>", "<xml><A>x</A ></xml>", "<xml><A>x</A/></xml>", "<xml><A>x</Ab></A></xml>"] {
        assert_agrees(doc);
    }
    assert!(assert_agrees("<xml><a\"b\">x</a\"b\"></xml>"));
}

#[test]
fn roots_without_fields_are_empty_objects() {
    for doc in ["<xml/>", "<xml></xml>", "<xml>text only</xml>", " <xml> </xml> "] {
        assert_eq!(written(doc).unwrap().0, "{}", "{doc:?}");
        assert!(assert_agrees(doc));
    }
}

#[test]
fn lookups_read_like_the_map() {
    let tree = parse("<xml><One>1</One><Obj><K>v</K></Obj><Rep>a</Rep><Rep><K>b</K></Rep><Empty/></xml>").unwrap();
    let root = tree.root();
    assert!(matches!(root.get("One"), Some(Field::Text("1"))));
    assert!(matches!(root.get("Obj"), Some(Field::Object(_))));
    assert!(matches!(root.get("Empty"), Some(Field::Text(""))));
    assert!(root.get("None").is_none());
    let Some(Field::Repeated(rep)) = root.get("Rep") else { panic!("Rep is repeated") };
    assert_eq!(serde_json::to_value(rep).unwrap(), json!(["a", {"K": "b"}]));
    assert_eq!(rep.items().filter(Element::is_object).count(), 1);
}

#[test]
fn malformed_documents_are_typed_errors() {
    for bad in ["", "   ", "<xml><A></B></xml>", "<xml><A>", "</xml>", "<xml/><xml/>", "text", "<xml>&bogus;</xml>", "<xml></xml><x>"] {
        let got = parse(bad);
        assert!(matches!(got, Err(EventError::Xml { .. } | EventError::NotAMap { .. })), "{bad:?} → {got:?}");
        assert!(!assert_agrees(bad));
    }
    let deep = "<a>".repeat(MAX_DEPTH + 1) + &"</a>".repeat(MAX_DEPTH + 1);
    assert!(matches!(parse(&deep), Err(EventError::Xml { .. })));
    assert!(!assert_agrees(&deep));
}

#[test]
fn mutated_callbacks_serialise_like_the_map() {
    let seeds = [
        "<xml><ToUserName><![CDATA[ww1]]></ToUserName><FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[sys_approval_change]]></Event>\
<ApprovalInfo><SpNo>1</SpNo><SpRecord><Details><Approver><UserId>a</UserId></Approver></Details><Details><Approver><UserId>b</UserId></Approver></Details></SpRecord>\
<SpRecord><SpStatus>2</SpStatus></SpRecord><Notifyer><UserId>c</UserId></Notifyer><Notifyer><UserId>d</UserId></Notifyer></ApprovalInfo></xml>",
        "<?xml version=\"1.0\"?><!DOCTYPE xml><xml><!-- note --><Name>\u{5f20}\u{4e09}\r\n</Name><ns:Id>7</ns:Id><Id>8</Id><E  /><F\ty='>'>x &amp; y</F ><G>a<![CDATA[b]]>c</G></xml>\n",
        "<xml><ExtAttr><Item><Name>爱好</Name><Type>0</Type><Text><Value>旅游</Value></Text></Item><Item><Name>卡号</Name><Type>1</Type><Web><Url>http://x?a=1&amp;b=2</Url></Web></Item></ExtAttr></xml>",
    ];
    let fragments = ["<", ">", "/", "!", "&", ";", " ", "\"", "<A>", "</A>", "<A/>", "<Id>9</Id>", "<SpRecord>", "</SpRecord>", "<![CDATA[", "]]>", "&amp;", "&#x4e2d;", "\r", "<!--", "-->", "ns:"];
    let mut rng = StdRng::seed_from_u64(0x7EE5);
    let mut outcomes = [0usize; 2];
    for _ in 0..20_000 {
        let mut doc = seeds[rng.random_range(0..seeds.len())].to_owned();
        for _ in 0..rng.random_range(0..=3) {
            let at = random_boundary(&mut rng, &doc);
            match rng.random_range(0..4) {
                0 | 1 => doc.insert_str(at, fragments[rng.random_range(0..fragments.len())]),
                2 => {
                    let cut = stretch(&doc, at, rng.random_range(1..8));
                    doc.replace_range(cut, "");
                }
                _ => {
                    // Duplicate a stretch, which repeats elements in odd places.
                    let copy = stretch(&doc, at, rng.random_range(1..40));
                    let end = copy.end;
                    let copy = doc[copy].to_owned();
                    doc.insert_str(end, &copy);
                }
            }
        }
        outcomes[usize::from(assert_agrees(&doc))] += 1;
    }
    assert!(outcomes[0] > 1000 && outcomes[1] > 1000, "{outcomes:?}");
}
