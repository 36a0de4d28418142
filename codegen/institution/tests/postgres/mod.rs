//! A PostgreSQL server of the test's own: the Debian package's binaries, a cluster in a
//! temporary directory, listening on a free port of 127.0.0.1, stopped and removed on drop.
//! As root (CI), the cluster runs as the package's `postgres` user, as PostgreSQL refuses root.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A running server.
pub struct Server {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
}

/// The newest `/usr/lib/postgresql/<version>/bin` with `initdb`.
fn binaries() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, b)| b)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

impl Server {
    /// Starts a server, or says why it cannot and returns `None`; with
    /// `OFB_REQUIRE_POSTGRES` set, that is a failure instead.
    pub fn start() -> Option<Server> {
        Self::start_with(None)
    }

    /// A server that also speaks TLS with the certificate and key `tls` (PEM), as
    /// `ssl = on` makes it.
    pub fn start_tls(cert_pem: &str, key_pem: &str) -> Option<Server> {
        Self::start_with(Some((cert_pem, key_pem)))
    }

    fn start_with(tls: Option<(&str, &str)>) -> Option<Server> {
        let required = std::env::var_os("OFB_REQUIRE_POSTGRES").is_some();
        let Some(bin) = binaries() else {
            let why = "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): \
                       `apt-get install postgresql` to run this test";
            assert!(!required, "{why}");
            eprintln!("skipped: {why}");
            return None;
        };
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let dir = std::env::temp_dir().join(format!("ofb-pg-{}-{port}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a temporary directory");
        let server = Server {
            dir,
            bin,
            port,
            as_postgres: is_root(),
        };
        if server.as_postgres {
            server.run(
                Command::new("chown")
                    .args(["-R", "postgres:postgres"])
                    .arg(&server.dir),
            );
        }
        let data = server.dir.join("data");
        server.run(server.pg("initdb").arg("-D").arg(&data).args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
        ]));
        let mut options = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            server.dir.display()
        );
        if let Some((cert, key)) = tls {
            let (cert_file, key_file) =
                (server.dir.join("server.crt"), server.dir.join("server.key"));
            std::fs::write(&cert_file, cert).expect("the certificate");
            std::fs::write(&key_file, key).expect("the key");
            // PostgreSQL refuses a key others can read.
            server.run(Command::new("chmod").arg("600").arg(&key_file));
            if server.as_postgres {
                server.run(
                    Command::new("chown")
                        .arg("postgres:postgres")
                        .arg(&cert_file)
                        .arg(&key_file),
                );
            }
            options.push_str(&format!(
                " -c ssl=on -c ssl_cert_file={} -c ssl_key_file={}",
                cert_file.display(),
                key_file.display()
            ));
        }
        server.run(
            server
                .pg("pg_ctl")
                .arg("-D")
                .arg(&data)
                .args(["-o", &options, "-w", "-l"])
                .arg(server.dir.join("log"))
                .arg("start"),
        );
        Some(server)
    }

    /// `postgres://` URL of its `postgres` database.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// A command for one of the server's binaries, as the right user.
    fn pg(&self, tool: &str) -> Command {
        let path = self.bin.join(tool);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    fn run(&self, command: &mut Command) {
        let out = command.output().expect("the command starts");
        assert!(
            out.status.success(),
            "{command:?}: {}\n{}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(self.dir.join("log")).unwrap_or_default()
        );
    }

    fn data(&self) -> PathBuf {
        Path::new(&self.dir).join("data")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let data = self.data();
        let _ = self
            .pg("pg_ctl")
            .arg("-D")
            .arg(&data)
            .args(["-m", "immediate", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
