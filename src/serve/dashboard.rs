//! The dashboard: one page and its script and style, embedded in the binary (nothing is fetched
//! from anywhere else). The page reads only the JSON API, so everything it shows is scriptable.
//! Every path outside `/api/` and `/healthz` gets the page (the script routes on the client).

/// A static reply: the page or one of its assets.
pub struct Asset {
    pub content_type: &'static str,
    pub body: &'static str,
}

const INDEX: &str = include_str!("dashboard/index.html");
const APP: &str = include_str!("dashboard/app.js");
const STYLE: &str = include_str!("dashboard/style.css");

/// No inline script or style, no eval, nothing from another origin: review text that slipped
/// into the page as markup could still run nothing.
pub const CSP: &str =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The asset for a GET of `path` (without its query), or None for the API's paths.
pub fn asset(path: &str) -> Option<Asset> {
    if path == "/healthz" || path == "/api" || path.starts_with("/api/") {
        return None;
    }
    Some(match path {
        "/dashboard/app.js" => Asset {
            content_type: "text/javascript; charset=utf-8",
            body: APP,
        },
        "/dashboard/style.css" => Asset {
            content_type: "text/css; charset=utf-8",
            body: STYLE,
        },
        _ => Asset {
            content_type: "text/html; charset=utf-8",
            body: INDEX,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_api_keeps_its_paths_and_every_other_path_gets_the_page() {
        assert!(asset("/api/v1/products").is_none());
        assert!(asset("/api/nowhere").is_none());
        assert!(asset("/healthz").is_none());
        for page in [
            "/",
            "/products",
            "/products/B0X",
            "/issues/leaks",
            "/changes",
            "/x/y",
        ] {
            let a = asset(page).unwrap();
            assert!(a.content_type.starts_with("text/html"), "{page}");
            assert!(a.body.contains("/dashboard/app.js"));
        }
        assert!(asset("/dashboard/app.js")
            .unwrap()
            .content_type
            .contains("javascript"));
    }

    #[test]
    fn the_page_has_no_inline_script_or_style() {
        assert!(!INDEX.contains("<script>") && !INDEX.contains("style="));
        assert!(!APP.contains("innerHTML") && !APP.contains("eval("));
        let total = INDEX.len() + APP.len() + STYLE.len();
        assert!(total < 300_000, "{total} bytes");
    }
}
