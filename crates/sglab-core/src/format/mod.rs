//! The sglab JSON file format (`"sglab": 1`): raw serde types that mirror the file, the entry
//! point [`parse_sglab`](crate::load::parse_sglab) that turns text into a validated [`Topology`], and [`to_sglab_json`]
//! that writes a topology back.
//!
//! The raw types keep every value that needs validation as text (ports `"8080/8080"`, CIDRs,
//! addresses, case-insensitive words) or as a [`Scalar`] (priority and ports written as a string
//! or a number), so that [`crate::validate`] can report every problem in the vendor's terms
//! instead of a serde type error. Unknown fields are rejected with a diagnostic naming the field
//! and its place, because a typo (`"protocl"`) must never be silently ignored.
//!
//! The format is documented field by field in `docs/format.md`.
//!
//! ```
//! use sglab_core::format::to_sglab_json;
//! use sglab_core::load::parse_sglab;
//!
//! let text = r#"{
//!   "sglab": 1,
//!   "vpcs": [{"id": "vpc-1"}],
//!   "security_groups": [{"id": "sg-web", "rules": [
//!     {"direction": "ingress", "protocol": "tcp", "port_range": "80/80", "cidr": "0.0.0.0/0"}
//!   ]}],
//!   "endpoints": [{"id": "web-1", "kind": "ecs", "private_ip": "10.0.0.10", "groups": ["sg-web"]}]
//! }"#;
//! let parsed = parse_sglab(text, Some("web.json")).expect("valid");
//! assert!(parsed.warnings.is_empty());
//! let again = parse_sglab(&to_sglab_json(&parsed.topology), None).expect("round trip");
//! assert_eq!(again.topology, parsed.topology);
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, Location};

pub mod fields;
mod write;

pub use write::{default_inner_access_policy, raw_from_topology, to_sglab_json};

/// The only version of the format this build reads and writes.
pub const FORMAT_VERSION: u64 = 1;

/// The default largest input [`parse_sglab`](crate::load::parse_sglab) accepts, 20 MB.
pub const DEFAULT_MAX_INPUT_BYTES: usize = 20 * 1024 * 1024;

/// A value written either as a JSON string or as a JSON number, kept as written: priorities
/// (`1` or `"1"`), ports (`8080` or `"8080"`), port ranges (`"80/9000"`, or a lone `22` that
/// validation rejects with the vendor's message).
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    /// A JSON string.
    Text(String),
    /// A JSON number.
    Number(serde_json::Number),
}

impl Scalar {
    /// The value as text: the string, or the number as JSON writes it.
    pub fn to_text(&self) -> String {
        match self {
            Scalar::Text(text) => text.clone(),
            Scalar::Number(number) => number.to_string(),
        }
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl From<&str> for Scalar {
    fn from(value: &str) -> Self {
        Scalar::Text(value.to_owned())
    }
}

impl From<u64> for Scalar {
    fn from(value: u64) -> Self {
        Scalar::Number(value.into())
    }
}

impl Serialize for Scalar {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Scalar::Text(text) => serializer.serialize_str(text),
            Scalar::Number(number) => number.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ScalarVisitor;

        impl serde::de::Visitor<'_> for ScalarVisitor {
            type Value = Scalar;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a number")
            }

            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<Scalar, E> {
                Ok(Scalar::Text(value.to_owned()))
            }

            fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<Scalar, E> {
                Ok(Scalar::Number(value.into()))
            }

            fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<Scalar, E> {
                Ok(Scalar::Number(value.into()))
            }

            fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<Scalar, E> {
                // Non-finite floats cannot come from JSON; keep them as text if they do.
                Ok(serde_json::Number::from_f64(value)
                    .map(Scalar::Number)
                    .unwrap_or_else(|| Scalar::Text(value.to_string())))
            }
        }

        deserializer.deserialize_any(ScalarVisitor)
    }
}

/// A whole sglab file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFile {
    /// The format version; must be 1.
    pub sglab: u64,
    /// A short title.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The VPCs.
    #[serde(default)]
    pub vpcs: Vec<RawVpc>,
    /// The security groups with their rules.
    #[serde(default)]
    pub security_groups: Vec<RawGroup>,
    /// ECS instances, pods, gateway nodes, external hosts.
    #[serde(default)]
    pub endpoints: Vec<RawEndpoint>,
    /// Kubernetes clusters.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clusters: Vec<RawCluster>,
    /// AI gateways and MSE cloud-native gateways.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gateways: Vec<RawGateway>,
    /// Prefix lists.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prefix_lists: Vec<RawPrefixList>,
    /// Expectations for `sglab check`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expectations: Vec<RawExpectation>,
    /// Diagram positions by object id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub layout: BTreeMap<String, RawPosition>,
    /// Annotations of the scenario corpus (`tests/scenarios/README.md`): the fact a file
    /// demonstrates and the deciding decisions its cases expect. Ignored when loading.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub corpus: Option<serde_json::Value>,
}

/// A diagram position.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPosition {
    /// Horizontal coordinate.
    pub x: f64,
    /// Vertical coordinate.
    pub y: f64,
}

/// A VPC.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVpc {
    /// The id, such as `vpc-bp1...`.
    #[serde(default)]
    pub id: String,
    /// A human name; defaults to empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The IPv4 CIDR block, such as `10.0.0.0/16`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr: Option<String>,
}

/// A security group.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGroup {
    /// The id, such as `sg-web`.
    #[serde(default)]
    pub id: String,
    /// A human name; defaults to empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The VPC id; may be left out when the file has exactly one VPC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc: Option<String>,
    /// `basic` (also `normal`) or `enterprise`; defaults to `basic`.
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub group_type: Option<String>,
    /// `accept` or `drop`; defaults to `accept` for basic groups and `drop` for enterprise
    /// groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inner_access_policy: Option<String>,
    /// The cloud product managing the group (read-only to the user).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub managed_by: Option<String>,
    /// Free text, at most 512 characters.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Tags.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// Rules of both directions.
    #[serde(default)]
    pub rules: Vec<RawRule>,
}

/// A security-group rule.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    /// The cloud's rule id (`sgr-...`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// `ingress` or `egress` (case-insensitive; `inbound`/`outbound` also accepted).
    #[serde(default)]
    pub direction: String,
    /// `accept` or `drop`, case-insensitive; defaults to `accept`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    /// 1 (highest) to 100, as a number or a string; defaults to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Scalar>,
    /// `tcp`, `udp`, `icmp`, `icmpv6`, `gre` or `all`, case-insensitive.
    #[serde(default)]
    pub protocol: String,
    /// `start/end` or `-1/-1`; defaults to `-1/-1` for protocols without ports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_range: Option<Scalar>,
    /// An IPv4 CIDR block or address peer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr: Option<String>,
    /// An IPv6 CIDR block or address peer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipv6_cidr: Option<String>,
    /// A security group peer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The account owning `group`, for cross-account references.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_owner_account: Option<String>,
    /// A prefix list peer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix_list: Option<String>,
    /// Optional source port range (quintuple rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_port_range: Option<Scalar>,
    /// Optional local CIDR (quintuple rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_cidr: Option<String>,
    /// `intranet` (default) or `internet`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nic_type: Option<String>,
    /// Free text, at most 512 characters.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// An endpoint: ECS instance, pod, gateway node or external host.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEndpoint {
    /// The id.
    #[serde(default)]
    pub id: String,
    /// A human name; defaults to empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// `ecs`, `pod`, `gateway_node` or `external`.
    #[serde(default)]
    pub kind: String,
    /// The VPC; defaults to the cluster's or gateway's VPC, or to the only VPC of the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc: Option<String>,
    /// Shorthand for a single primary ENI: its private address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub private_ip: Option<String>,
    /// Shorthand for a single primary ENI: its groups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<String>>,
    /// The ENIs, primary first; do not combine with `private_ip`/`groups`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enis: Option<Vec<RawEni>>,
    /// The public IP or EIP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_ip: Option<String>,
    /// The pod IP of a Flannel or Terway-shared pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_ip: Option<String>,
    /// The cluster of a pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    /// The node (ECS endpoint id) of a pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// The gateway of a gateway node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    /// The address block of an external endpoint (an address alone is a single host).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr: Option<String>,
    /// What listens; absent means unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub services: Option<Vec<RawService>>,
}

/// An elastic network interface.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEni {
    /// The ENI id (`eni-...`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Private addresses.
    #[serde(default)]
    pub private_ips: Vec<String>,
    /// 1 to 10 groups of one type.
    #[serde(default)]
    pub groups: Vec<String>,
}

/// Something listening on an endpoint.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawService {
    /// A label such as `web`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// `tcp` (default) or `udp`; other protocols take no port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// A range `start/end`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port_range: Option<Scalar>,
    /// A single port; do not combine with `port_range`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<Scalar>,
    /// Whether it runs; defaults to `true`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub up: Option<bool>,
}

/// A Kubernetes cluster.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCluster {
    /// The id.
    #[serde(default)]
    pub id: String,
    /// A human name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The VPC; may be left out when the file has exactly one VPC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc: Option<String>,
    /// The pod CIDR, such as `172.18.0.0/16`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_cidr: Option<String>,
    /// `flannel`, `terway_shared` or `terway_trunk`.
    #[serde(default)]
    pub network_mode: String,
}

/// A gateway.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGateway {
    /// The id.
    #[serde(default)]
    pub id: String,
    /// A human name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// `ai_gateway` or `mse_cloud_native`.
    #[serde(default)]
    pub kind: String,
    /// The VPC; may be left out when the file has exactly one VPC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc: Option<String>,
    /// The id of the managed group of the gateway's nodes.
    #[serde(default)]
    pub managed_group: String,
    /// The authorizations on the gateway's Security Group Authorizations tab.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authorizations: Vec<RawAuthorization>,
}

/// One gateway authorization.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAuthorization {
    /// The backend group.
    #[serde(default)]
    pub backend_group: String,
    /// TCP port ranges, `start/end`.
    #[serde(default)]
    pub port_ranges: Vec<Scalar>,
    /// Free text.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// A prefix list.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPrefixList {
    /// The id (`pl-...`).
    #[serde(default)]
    pub id: String,
    /// A human name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The CIDR blocks.
    #[serde(default)]
    pub cidrs: Vec<String>,
}

/// An expectation checked by `sglab check`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawExpectation {
    /// The source: endpoint id or name, or an IP address.
    #[serde(default)]
    pub from: String,
    /// The target: endpoint id or name, or an IP address.
    #[serde(default)]
    pub to: String,
    /// The protocol.
    #[serde(default)]
    pub protocol: String,
    /// The port, for TCP and UDP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub port: Option<Scalar>,
    /// `allow` or `deny`.
    #[serde(default)]
    pub verdict: String,
}

/// Parses an sglab file into its raw form without validating values: size limit, JSON syntax,
/// the `sglab` version, unknown fields and JSON types.
pub fn parse_raw(
    text: &str,
    file: Option<&str>,
    max_input_bytes: usize,
) -> Result<RawFile, Vec<Diagnostic>> {
    let location = || Location::in_file(file);
    if text.len() > max_input_bytes {
        return Err(vec![Diagnostic::error(
            location(),
            format!(
                "the input is {} bytes long, more than the limit of {} bytes: split the topology or raise the limit",
                text.len(),
                max_input_bytes
            ),
        )]);
    }
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|error| vec![Diagnostic::from_json_error(file, &error)])?;
    let serde_json::Value::Object(top) = &value else {
        return Err(vec![Diagnostic::error(
            location(),
            "the input is not an sglab file: expected a JSON object such as {\"sglab\": 1, ...}",
        )]);
    };
    match top.get("sglab") {
        None => {
            return Err(vec![Diagnostic::error(
                location().field("sglab"),
                "the sglab version is missing: add \"sglab\": 1 at the top of the file",
            )])
        }
        Some(version) if version.as_u64() == Some(FORMAT_VERSION) => {}
        Some(version) => {
            return Err(vec![Diagnostic::error(
                location().field("sglab"),
                format!(
                    "sglab version {version} is not supported: this build reads version {FORMAT_VERSION}"
                ),
            )])
        }
    }
    let unknown = fields::unknown_fields(&value, file);
    if !unknown.is_empty() {
        return Err(unknown);
    }
    serde_json::from_str::<RawFile>(text)
        .map_err(|error| vec![Diagnostic::from_json_error(file, &error)])
}
