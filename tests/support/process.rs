//! A `worklink` subcommand running as a child process, with the JSON banner it prints on its
//! first stdout line (`sim`, `dev` and `serve` all do), killed when dropped so a failing test
//! leaves no server behind.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::worklink_bin;

/// A running `worklink` process and its banner.
pub struct Spawned {
    /// The child; [`Spawned::kill9`] and drop end it.
    pub child: Child,
    /// The first stdout line, parsed.
    pub banner: Value,
}

impl Spawned {
    /// Runs `worklink <args>` (with `envs` set, in `dir` when given) and waits for its banner.
    pub fn start(args: &[&str], envs: &[(&str, &str)], dir: Option<&Path>) -> Spawned {
        let mut command = Command::new(worklink_bin());
        command
            .args(args)
            .envs(envs.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(dir) = dir {
            command.current_dir(dir);
        }
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("spawn worklink {args:?}: {e}"));
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        reader
            .read_line(&mut line)
            .unwrap_or_else(|e| panic!("read the banner of worklink {args:?}: {e}"));
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = String::new();
            while reader.read_line(&mut sink).map(|n| n > 0).unwrap_or(false) {
                sink.clear();
            }
        });
        let banner: Value = serde_json::from_str(&line).unwrap_or_else(|e| {
            let _ = child.kill();
            panic!("worklink {args:?} banner {line:?} is not JSON: {e}")
        });
        Spawned { child, banner }
    }

    /// The banner's string field `name` (numbers rendered as text).
    pub fn field(&self, name: &str) -> String {
        match &self.banner[name] {
            Value::String(s) => s.clone(),
            Value::Null => panic!("banner has no `{name}`: {}", self.banner),
            other => other.to_string(),
        }
    }

    /// Ends the process the hard way (SIGKILL): no shutdown hook runs.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Spawned {
    fn drop(&mut self) {
        self.kill9();
    }
}
