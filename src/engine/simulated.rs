/// The built-in agent that answers when no real runner is configured, so that
/// every example works offline. Deterministic: the same call, the same text.
pub fn simulated_reply(agent: &str, prompt: &str) -> String {
    let words = prompt.split_whitespace().count();
    format!("[{agent}] Simulated response to a {words}-word prompt: {prompt}")
}
