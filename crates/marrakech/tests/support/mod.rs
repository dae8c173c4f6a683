//! Running the real binary in tests.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, ChildStderr, Command, Stdio};
use std::time::{Duration, Instant};

/// The binary, with no configuration leaking in from the environment running the tests.
pub fn marrakech() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_marrakech"));
    for var in [
        "MARRAKECH_CONFIG",
        "MARRAKECH_DATA_DIR",
        "MARRAKECH_DATABASE_URL",
        "MARRAKECH_BIND",
        "MARRAKECH_LOG",
        "MARRAKECH_HTTPS",
    ] {
        command.env_remove(var);
    }
    command
}

/// `marrakech serve` on a free port, with its data in `data_dir`; killed when dropped.
pub struct Server {
    pub address: String,
    pub child: Child,
    pub log: BufReader<ChildStderr>,
}

impl Server {
    pub fn start(data_dir: &Path) -> Server {
        Server::start_with(data_dir, None)
    }

    /// As [`Server::start`], on the database at `database_url` when given.
    pub fn start_with(data_dir: &Path, database_url: Option<&str>) -> Server {
        let mut command = marrakech();
        // Only the server's own start and stop lines: nobody reads the log while a test
        // runs, and request logs would fill the pipe and stall the server.
        command
            .args(["--log", "warn,marrakech::serve=info"])
            .args(["serve", "--bind", "127.0.0.1:0", "--data-dir"])
            .arg(data_dir);
        if let Some(url) = database_url {
            command.args(["--database-url", url]);
        }
        let mut child = command
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server starts");
        let mut log = BufReader::new(child.stderr.take().expect("stderr is piped"));
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut line = String::new();
        while Instant::now() < deadline {
            line.clear();
            if log.read_line(&mut line).unwrap_or(0) == 0 {
                break;
            }
            if let Some(rest) = line.split("serving at http://").nth(1) {
                let address = rest
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_owned();
                return Server {
                    address,
                    child,
                    log,
                };
            }
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("the server never said where it serves (last line: {line})");
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain HTTP/1.1 GET: (status, body).
pub fn http_get(address: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).expect("the server accepts connections");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}
