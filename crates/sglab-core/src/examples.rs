//! The built-in example topologies, written as sglab files in `static/examples/` and embedded
//! at compile time. The first one is the default scenario of the app.
//!
//! Each example carries expectations that follow `reference/security-groups.md`, so
//! `sglab check` on it passes and the scenario corpus can run it.
//!
//! ```
//! use sglab_core::examples::examples;
//! use sglab_core::load::parse_sglab;
//!
//! let default = &examples()[0];
//! assert_eq!(default.id, "ai-gateway");
//! assert!(parse_sglab(default.json, Some(default.id)).is_ok());
//! ```

/// One built-in example.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Example {
    /// A stable id, also the file name in `static/examples/` without `.json`.
    pub id: &'static str,
    /// A short title for menus.
    pub title: &'static str,
    /// One or two sentences on what the example shows.
    pub description: &'static str,
    /// The sglab JSON text.
    pub json: &'static str,
}

const EXAMPLES: &[Example] = &[
    Example {
        id: "ai-gateway",
        title: "AI gateway with two backend groups",
        description: "The AI-gateway figure: an internet client reaches the gateway on 443; the gateway's managed group is authorized on 8080/8080 in service-sg1 (ACK pods) and on 80/9000 in service-sg2 (an ECS instance).",
        json: include_str!("../../../static/examples/ai-gateway.json"),
    },
    Example {
        id: "mse-gateway",
        title: "MSE cloud-native gateway and an ACK node pool",
        description: "An MSE cloud-native gateway authorized on 8080/8080 in the node-pool group of a Flannel ACK cluster whose group keeps the default container-CIDR and ICMP rules.",
        json: include_str!("../../../static/examples/mse-gateway.json"),
    },
    Example {
        id: "redis-behind-web",
        title: "Redis behind a web tier",
        description: "The web group is open on 80 and 443 to the internet; the Redis group accepts 6379 only from the web group, by group reference rather than CIDR.",
        json: include_str!("../../../static/examples/redis-behind-web.json"),
    },
    Example {
        id: "ssh-allowlist",
        title: "SSH allow-list with a lower-priority drop",
        description: "Accept 22 from 10.0.0.0/8 at priority 1, drop 22 from 0.0.0.0/0 at priority 2: the bastion inside the VPC gets in, the internet does not.",
        json: include_str!("../../../static/examples/ssh-allowlist.json"),
    },
    Example {
        id: "basic-vs-enterprise",
        title: "Basic vs enterprise groups",
        description: "The same rule in a basic and an enterprise group: basic groups allow all egress and intra-group traffic by default, enterprise groups deny both.",
        json: include_str!("../../../static/examples/basic-vs-enterprise.json"),
    },
    Example {
        id: "drop-wins-tie",
        title: "Drop wins a tie",
        description: "An accept and a drop rule for the same traffic at the same priority: the drop wins, whatever the order they were written in; a better (lower) priority still beats a drop.",
        json: include_str!("../../../static/examples/drop-wins-tie.json"),
    },
    Example {
        id: "flannel-missing-pod-cidr",
        title: "Flannel cluster missing the pod-CIDR rule",
        description: "The node group of a Flannel cluster lacks the rule for the pod CIDR, so pods on different nodes cannot reach each other although the nodes can.",
        json: include_str!("../../../static/examples/flannel-missing-pod-cidr.json"),
    },
];

/// The built-in examples; the first is the default.
pub fn examples() -> &'static [Example] {
    EXAMPLES
}

/// The example with this id.
pub fn example(id: &str) -> Option<&'static Example> {
    EXAMPLES.iter().find(|example| example.id == id)
}
