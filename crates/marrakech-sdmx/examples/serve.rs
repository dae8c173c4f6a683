//! A minimal SDMX REST service over the test fixture, on 127.0.0.1 only, to exercise the
//! whole request path with a real client (`scripts/sdmx1_check.py --url`). It shows the
//! wiring the web layer needs: parse → negotiate → select/write, errors as SDMX error
//! bodies with the query's status.
//!
//! ```sh
//! cargo run --example serve -- 8089          # serves http://127.0.0.1:8089/sdmx/
//! python scripts/sdmx1_check.py --url http://127.0.0.1:8089/sdmx
//! ```
//!
//! Plain `std::net`, one request per connection: an example, not a server.

#[path = "../tests/common/mod.rs"]
mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};

use marrakech_sdmx::{
    error_body, negotiate, parse_query_string, parse_request, write_structure, DataOptions,
    DataWriter, MessageKind, SdmxRequest, Structures,
};

const BASE: &str = "/sdmx/";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let port: u16 = std::env::args().nth(1).map_or(Ok(8089), |p| p.parse())?;
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    let structures = common::structures();
    println!("serving http://127.0.0.1:{port}{BASE}");
    for stream in listener.incoming() {
        let mut stream = stream?;
        if let Err(e) = handle(&structures, &mut stream) {
            eprintln!("request failed: {e}");
        }
    }
    Ok(())
}

fn handle(
    structures: &Structures,
    stream: &mut TcpStream,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut accept = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("accept") {
                accept = Some(value.trim().to_owned());
            }
        }
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or("/");
    eprintln!("GET {target}  Accept: {}", accept.as_deref().unwrap_or("-"));
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let Some(path) = path.strip_prefix(BASE) else {
        return respond(stream, 404, "text/plain", b"not an SDMX path\n");
    };
    let accept = accept.as_deref();

    let params = match parse_query_string(query) {
        Ok(p) => p,
        Err(e) => return error(stream, None, e.status(), &e.to_string()),
    };
    let parsed = match parse_request(structures, path, &params) {
        Ok(p) => p,
        Err(e) => {
            // Answer in the syntax the client wants, if any can be agreed on.
            let kind = if path.starts_with("data") {
                MessageKind::Data
            } else {
                MessageKind::Structure
            };
            let format = negotiate(kind, accept, None).ok().map(|n| n.format);
            return error(stream, format, e.status(), &e.to_string());
        }
    };
    let header = common::header();
    match parsed.request {
        SdmxRequest::Structure(query) => {
            let negotiated =
                match negotiate(MessageKind::Structure, accept, parsed.format.as_deref()) {
                    Ok(n) => n,
                    Err(e) => return error(stream, None, e.status(), &e.to_string()),
                };
            let selection = match structures.select(&query) {
                Ok(s) => s,
                Err(e) => {
                    return error(stream, Some(negotiated.format), e.status(), &e.to_string())
                }
            };
            let mut body = Vec::new();
            write_structure(negotiated.format, &mut body, &header, &selection)?;
            respond(stream, 200, negotiated.content_type, &body)
        }
        SdmxRequest::Data(query) => {
            let negotiated = match negotiate(MessageKind::Data, accept, parsed.format.as_deref()) {
                Ok(n) => n,
                Err(e) => return error(stream, None, e.status(), &e.to_string()),
            };
            let flow = structures
                .resolve_flow(query.flow())
                .expect("the parser resolved it");
            // A real service filters in its database with `query.allowed_values(i)`.
            let rows: Vec<_> = common::observations()
                .into_iter()
                .filter(|o| query.matches(&o.key, &o.time))
                .collect();
            if rows.is_empty() {
                return error(
                    stream,
                    Some(negotiated.format),
                    404,
                    "no data match the query",
                );
            }
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nConnection: close\r\n\r\n",
                negotiated.content_type
            )?;
            // Streamed straight to the socket: the body ends when the connection closes.
            let mut writer = DataWriter::new(
                negotiated.format,
                &mut *stream,
                &header,
                &flow,
                DataOptions::from(&query),
            )?;
            for o in &rows {
                writer.observation(&o.key, &o.time, o.value, &o.attributes)?;
            }
            writer.finish()?;
            Ok(())
        }
    }
}

fn error(
    stream: &mut TcpStream,
    format: Option<marrakech_sdmx::Format>,
    status: u16,
    message: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let body = error_body(format, status, message);
    respond(stream, status, body.content_type, body.body.as_bytes())
}

fn respond(
    stream: &mut TcpStream,
    status: u16,
    content_type: &str,
    body: &[u8],
) -> Result<(), Box<dyn std::error::Error>> {
    write!(
        stream,
        "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        if status == 200 { "OK" } else { "Error" },
        body.len()
    )?;
    stream.write_all(body)?;
    Ok(())
}
