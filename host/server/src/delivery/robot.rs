//! `robot_post` effects: a post into a group chat through a configured robot.

use worklink_runtime::types::RobotPost;

use super::Relay;
use super::error::DeliveryError;

/// Posts into the robot's group; robots answer no id, so the result is the robot's name.
pub(super) async fn deliver(relay: &Relay, post: &RobotPost) -> Result<String, DeliveryError> {
    relay.clients.robot(&post.robot)?.post(post).await?;
    Ok(post.robot.clone())
}
