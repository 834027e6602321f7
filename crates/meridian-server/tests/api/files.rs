//! The file endpoints over HTTP: raw chunk bodies, `Range` reads and their headers, and coded
//! answers to requests a well-behaved client would not send.

use super::start;
use meridian_protocol::{BlobManifest, MIN_CHUNK_BYTES, chunk_hash};
use reqwest::StatusCode;
use serde_json::Value;

#[tokio::test]
async fn a_file_is_read_whole_or_by_range() {
    let server = start(false).await;
    let (token, _) = server.sign_up("Ana").await;
    let content: Vec<u8> = (0..(MIN_CHUNK_BYTES * 2 + 100)).map(|i| (i % 241) as u8).collect();
    let manifest = BlobManifest {
        size: content.len() as u64,
        mime: "text/plain".into(),
        chunk_size: MIN_CHUNK_BYTES,
        chunk_hashes: content.chunks(MIN_CHUNK_BYTES as usize).map(chunk_hash).collect(),
    };
    let base = server.server.base_url();
    let http = &server.http;
    let begun: Value = http
        .post(format!("{base}/v1/blobs"))
        .bearer_auth(&token)
        .json(&manifest)
        .send()
        .await
        .expect("begin")
        .json()
        .await
        .expect("json");
    let blob = begun["blob_id"].as_str().expect("id").to_owned();
    assert_eq!(blob, manifest.blob_id().to_string());
    assert_eq!(begun["missing_chunks"], serde_json::json!([0, 1, 2]));
    for (index, chunk) in content.chunks(MIN_CHUNK_BYTES as usize).enumerate() {
        let url = format!("{base}/v1/blobs/{blob}/chunks/{index}");
        let put = http.put(url).bearer_auth(&token).body(chunk.to_vec()).send().await.expect("put");
        assert_eq!(put.status(), StatusCode::NO_CONTENT);
    }
    let done = http.post(format!("{base}/v1/blobs/{blob}/complete")).bearer_auth(&token).send().await;
    assert_eq!(done.expect("complete").status(), StatusCode::OK);

    let get = |range: Option<&str>| {
        let mut request = http.get(format!("{base}/v1/blobs/{blob}")).bearer_auth(&token);
        if let Some(range) = range {
            request = request.header("range", range);
        }
        request.send()
    };
    let whole = get(None).await.expect("get");
    assert_eq!(whole.status(), StatusCode::OK);
    assert_eq!(whole.headers()["content-type"], "text/plain");
    assert_eq!(whole.headers()["accept-ranges"], "bytes");
    assert_eq!(whole.bytes().await.expect("bytes").as_ref(), content.as_slice());

    // A span across a chunk boundary.
    let start_at = MIN_CHUNK_BYTES as usize - 10;
    let part = get(Some(&format!("bytes={start_at}-{}", start_at + 19))).await.expect("get");
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    let expected_range = format!("bytes {start_at}-{}/{}", start_at + 19, content.len());
    assert_eq!(part.headers()["content-range"], expected_range.as_str());
    assert_eq!(part.bytes().await.expect("bytes").as_ref(), &content[start_at..start_at + 20]);
    let tail = get(Some("bytes=-5")).await.expect("get").bytes().await.expect("bytes");
    assert_eq!(tail.as_ref(), &content[content.len() - 5..]);
    let past = get(Some(&format!("bytes={}-", content.len()))).await.expect("get");
    assert_eq!(past.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(past.headers()["content-range"], format!("bytes */{}", content.len()).as_str());
}

#[tokio::test]
async fn malformed_file_requests_get_codes() {
    let server = start(false).await;
    let (token, _) = server.sign_up("Ana").await;
    let (status, body) =
        server.call("POST", "/v1/blobs", Some(&token), Some(serde_json::json!({"size": 1}))).await;
    assert_eq!((status.as_u16(), body["code"].as_str()), (400, Some("bad_request")));
    let (status, body) = server.call("GET", "/v1/blobs/nonsense", Some(&token), None).await;
    assert_eq!((status.as_u16(), body["code"].as_str()), (400, Some("bad_request")));
    let id = format!("b3:{}", "a".repeat(64));
    let (status, body) = server.call("GET", &format!("/v1/blobs/{id}"), None, None).await;
    assert_eq!((status.as_u16(), body["code"].as_str()), (401, Some("unauthenticated")));
    let (status, body) = server.call("PUT", &format!("/v1/blobs/{id}/chunks/-1"), Some(&token), None).await;
    assert_eq!((status.as_u16(), body["code"].as_str()), (400, Some("invalid_chunk")));
    let (status, body) = server.call("GET", &format!("/v1/blobs/{id}"), Some(&token), None).await;
    assert_eq!((status.as_u16(), body["code"].as_str()), (404, Some("not_found")));
}
