//! Hostile text: script tags, event handlers, `javascript:` URLs, SVG and MathML tricks,
//! broken and double encodings. Every field a person can write goes through these, and the
//! page must show them as text, never run them.

/// The base payloads.
const BASE: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<script>alert(String.fromCharCode(88,83,83))</script>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"x\" onerror=\"alert(1)\">",
    "<IMG SRC=javascript:alert('XSS')>",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text x=20 y=20>XSS</text></a></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<math href=\"javascript:alert(1)\">CLICK</math>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">",
    "<a href=\"javascript:alert(1)\">click</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">click</a>",
    "<a href=\"&#106;avascript:alert(1)\">click</a>",
    "<a href=\"java\tscript:alert(1)\">click</a>",
    "javascript:alert(1)",
    "<body onload=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=\"alert(1)\"></video>",
    "<audio src=x onerror=alert(1)>",
    "<marquee onstart=alert(1)>",
    "<div style=\"background:url(javascript:alert(1))\">",
    "<style>@import 'javascript:alert(1)';</style>",
    "<link rel=stylesheet href=//evil.example/x.css>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<form action=\"javascript:alert(1)\"><button>go</button></form>",
    "<template><script>alert(1)</script></template>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<!--<img src=\"--><img src=x onerror=alert(1)//\">",
    "<![CDATA[<script>alert(1)</script>]]>",
    "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</script><script>alert(1)</script>",
    "{{constructor.constructor('alert(1)')()}}",
    "${alert(1)}",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "\u{FF1C}script\u{FF1E}alert(1)\u{FF1C}/script\u{FF1E}",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)<</script>/script>",
    "<script\x20type=\"text/javascript\">alert(1)</script>",
    "<script/src=data:,alert(1)>",
    "<img src=`x` onerror=`alert(1)`>",
    "<isindex type=image src=1 onerror=alert(1)>",
    "<x onclick=alert(1) style=display:block>click",
    "\u{202E}<script>alert(1)</script>",
    "<sc\u{0}ript>alert(1)</script>",
    "\u{FEFF}<script>alert(1)</script>",
    "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
];

/// The corpus: each base payload as it is, wrapped in a paragraph of Chinese text, and
/// with the HTML quoting a naive sanitiser might undo — well over 100 cases.
pub fn corpus() -> Vec<String> {
    let mut all = Vec::new();
    for p in BASE {
        all.push(p.to_string());
        all.push(format!("前文 {p} 后文"));
        all.push(p.replace('<', "&lt;").replace('>', "&gt;"));
    }
    all
}

/// What in `page` could run: event-handler attributes, `javascript:` or `data:text/html`
/// URLs in URL attributes, scripts that call `alert`, frames, objects, embeds, `<base>` and
/// refresh `<meta>` tags. Only real tags are read (escaped text such as
/// `&lt;img onerror=…&gt;` is text, as it should be).
pub fn executable_markup(page: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut i = 0;
    while let Some(off) = page[i..].find('<') {
        let start = i + off;
        let name: String = page[start + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            i = start + 1;
            continue;
        }
        // The tag runs to the first `>` outside quotes.
        let mut quote = None;
        let mut end = page.len();
        for (k, c) in page[start..].char_indices().skip(1) {
            match (quote, c) {
                (None, '"' | '\'') => quote = Some(c),
                (Some(q), c) if c == q => quote = None,
                (None, '>') => {
                    end = start + k;
                    break;
                }
                _ => {}
            }
        }
        let tag = &page[start + 1 + name.len()..end];
        for (attr, value) in attributes(tag) {
            let value = value.trim().to_ascii_lowercase();
            if attr.starts_with("on") && attr.len() > 2 {
                found.push(format!("<{name} {attr}=…>"));
            }
            if matches!(
                attr.as_str(),
                "href" | "src" | "action" | "formaction" | "data" | "xlink:href" | "srcdoc"
            ) && (value.starts_with("javascript:") || value.starts_with("data:text/html"))
            {
                found.push(format!("<{name} {attr}=\"{value}\">"));
            }
            if name == "script" && attr == "src" && !value.starts_with("/pkg/") {
                found.push(format!("<script src=\"{value}\">"));
            }
            if name == "meta" && attr == "http-equiv" && value == "refresh" {
                found.push("<meta http-equiv=refresh>".into());
            }
        }
        if matches!(name.as_str(), "iframe" | "object" | "embed" | "base") {
            found.push(format!("<{name}>"));
        }
        if name == "script" {
            let body_end = page[end..].find("</script").map_or(page.len(), |e| end + e);
            // A payload that broke out of its place is a script of its own; the page's data
            // scripts carry the payloads as JSON strings (`\u003c…`), which is fine.
            let body = page.get(end + 1..body_end).unwrap_or("").trim_start();
            if body.starts_with("alert(") || body.starts_with("alert`") {
                found.push("<script>alert(…)</script>".into());
            }
        }
        i = end.max(start + 1);
    }
    found
}

/// The attributes of a tag's inside (after its name): (lower-case name, value).
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = tag.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == '/') {
            chars.next();
        }
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() || c == '=' || c == '/' {
                break;
            }
            name.push(c);
            chars.next();
        }
        if name.is_empty() {
            break;
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if chars.peek() == Some(&'=') {
            chars.next();
            while chars.peek().is_some_and(|c| c.is_whitespace()) {
                chars.next();
            }
            match chars.peek().copied() {
                Some(q @ ('"' | '\'')) => {
                    chars.next();
                    for c in chars.by_ref() {
                        if c == q {
                            break;
                        }
                        value.push(c);
                    }
                }
                _ => {
                    while let Some(&c) = chars.peek() {
                        if c.is_whitespace() {
                            break;
                        }
                        value.push(c);
                        chars.next();
                    }
                }
            }
        }
        out.push((name.to_ascii_lowercase(), value));
    }
    out
}

#[test]
fn the_checker_finds_live_markup_and_ignores_escaped_text() {
    assert!(executable_markup("<p>&lt;img src=x onerror=alert(1)&gt;</p>").is_empty());
    assert!(executable_markup("<meta content=\"<img onerror=alert(1)>\">").is_empty());
    assert!(!executable_markup("<img src=x onerror=alert(1)>").is_empty());
    assert!(!executable_markup("<a href=\" JavaScript:alert(1)\">x</a>").is_empty());
    assert!(!executable_markup("<script>alert(1)</script>").is_empty());
    assert!(executable_markup("<script nonce=\"n\">hydrate()</script>").is_empty());
    assert!(executable_markup("<script>var d = \"\\u003cscript>alert(1)\";</script>").is_empty());
    assert!(!executable_markup("<script src=//evil.example/x.js></script>").is_empty());
}
