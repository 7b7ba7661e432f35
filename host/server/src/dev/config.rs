//! The `worklink.toml` `worklink dev` writes: both simulated connections, a robot on each, the
//! dev ERP receiver, and the data directory's database, rules and plugins.
//!
//! It is written as a file (not built in memory) so that what the dev instance runs on is exactly
//! what an admin would write, loaded through the same strict parser, and can be read afterwards.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::Path;

use super::sims::Simulators;
use super::{DINGTALK_CONNECTION, WECOM_CONNECTION};

/// Renders the dev config for a server listening on `listen` with its files in `data_dir` and
/// its state in `database_url`.
/// `erp_url` is where ERP documents go (the dev ERP receiver), signed with `erp_secret`. Every
/// secret in it is simulated or generated for this instance, so it is written in clear: the
/// file must work as is with `worklink rule --config`.
pub fn render(
    listen: SocketAddr,
    data_dir: &Path,
    database_url: &str,
    sims: &Simulators,
    erp_url: &str,
    erp_secret: &str,
) -> String {
    let wecom = sims.wecom_credentials();
    let dingtalk = sims.dingtalk_credentials();
    let wecom_base = &sims.wecom_server.base_url;
    let dingtalk_base = &sims.dingtalk_server.base_url;
    let data = data_dir.display();
    let mut toml = String::new();
    // `write!` into a String cannot fail.
    let _ = write!(
        toml,
        r#"# Written by `worklink dev`: a local instance against simulated WeCom and DingTalk tenants.
timezone = "Asia/Shanghai"
rules_dir = "{data}/rules"
plugins_dir = "{data}/plugins"

[server]
listen = "{listen}"
public_url = "http://{listen}"

[database]
url = "{database_url}"

[connections.{WECOM_CONNECTION}]
provider = "wecom"
corp_id = "{corp_id}"
agent_id = {wecom_agent}
secret = "{wecom_secret}"
callback_token = "{wecom_token}"
callback_aes_key = "{wecom_key}"
api_base = "{wecom_base}"

[connections.{DINGTALK_CONNECTION}]
provider = "dingtalk"
corp_id = "{ding_corp}"
agent_id = {ding_agent}
app_key = "{app_key}"
app_secret = "{app_secret}"
callback_token = "{ding_token}"
callback_aes_key = "{ding_key}"
api_base = "{dingtalk_base}"

[robots.wecom-ops]
provider = "wecom"
url = "{wecom_base}/cgi-bin/webhook/send?key={robot_key}"

[robots.dingtalk-ops]
provider = "dingtalk"
url = "{dingtalk_base}/robot/send?access_token={robot_token}"
secret = "{robot_secret}"

[erp]
url = "{erp_url}"
hmac_secret = "{erp_secret}"
"#,
        corp_id = wecom.corp_id,
        wecom_agent = wecom.agent_id,
        wecom_secret = wecom.secret,
        wecom_token = wecom.callback_token,
        wecom_key = wecom.callback_aes_key,
        ding_corp = dingtalk.corp_id,
        ding_agent = dingtalk.agent_id,
        app_key = dingtalk.app_key,
        app_secret = dingtalk.app_secret,
        ding_token = dingtalk.callback_token,
        ding_key = dingtalk.callback_aes_key,
        robot_key = wecom.robot_key,
        robot_token = dingtalk.robot_token,
        robot_secret = dingtalk.robot_secret,
    );
    toml
}
