//! The OpenAPI document and Swagger UI.

use serde_json::Value;

use crate::helpers::spawn_app;

#[test]
fn the_served_openapi_matches_the_committed_file() {
    let app = spawn_app();
    let served: Value = app.get("/openapi.json").json().unwrap();
    let committed: Value =
        serde_json::from_str(include_str!("../../openapi/openapi.json")).unwrap();
    assert!(
        served == committed,
        "openapi/openapi.json is stale: run `cargo run -- openapi > openapi/openapi.json`"
    );
    assert_eq!(served["openapi"], "3.1.0");
    for path in ["/v1/articles", "/v1/articles/{id}", "/healthz", "/readyz"] {
        assert!(served["paths"].get(path).is_some(), "{path} is documented");
    }
}

#[test]
fn every_operation_documents_its_errors() {
    let app = spawn_app();
    let api: Value = app.get("/openapi.json").json().unwrap();
    for (path, item) in api["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            let documents_an_error = responses
                .keys()
                .any(|status| status.starts_with('4') || status.starts_with('5'));
            if path != "/healthz" {
                assert!(documents_an_error, "{method} {path} documents its errors");
            }
        }
    }
}

#[test]
fn docs_serve_swagger_ui_and_its_scripts_offline() {
    let app = spawn_app();
    let redirect = app.get("/docs");
    assert_eq!(redirect.status().as_u16(), 308);
    assert_eq!(redirect.headers()["location"], "/docs/");
    let page = app.get("/docs/");
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().unwrap();
    assert!(html.contains("swagger-ui"), "the Swagger UI page");
    let scripts: Vec<&str> = html
        .split("src=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|s| s.ends_with(".js"))
        .collect();
    assert!(!scripts.is_empty(), "the page loads scripts");
    for script in scripts {
        assert!(
            !script.starts_with("http"),
            "no script from the network: {script}"
        );
        let response = app.get(&format!("/docs/{}", script.trim_start_matches("./")));
        assert_eq!(response.status().as_u16(), 200, "{script} is served");
        assert!(response.text().unwrap().len() > 100);
    }
    let initializer = app.get("/docs/swagger-initializer.js").text().unwrap();
    assert!(initializer.contains("/openapi.json"));
    assert!(
        initializer.contains("\"validatorUrl\": \"none\"")
            || initializer.contains("\"validatorUrl\":\"none\""),
        "{initializer}"
    );
}

/// Every `$ref` in the document names something the document defines.
#[test]
fn every_reference_resolves() {
    fn refs<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(target)) = map.get("$ref") {
                    found.push(target);
                }
                map.values().for_each(|v| refs(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
            _ => {}
        }
    }
    let api: Value = serde_json::from_str(include_str!("../../openapi/openapi.json")).unwrap();
    let mut found = Vec::new();
    refs(&api, &mut found);
    assert!(!found.is_empty());
    for target in found {
        let pointer = target.trim_start_matches('#');
        assert!(api.pointer(pointer).is_some(), "{target} is defined");
    }
}
