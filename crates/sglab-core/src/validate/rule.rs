//! The one rule reader: the raw fields of a security-group rule (direction, policy, priority,
//! protocol, ports, peer, quintuple fields, NIC type, description), as any input format writes
//! them, become a [`Rule`] of the model or diagnostics naming the field the user wrote.
//!
//! Every reader of the crate calls it with its own field names ([`RuleFields`]) and its
//! [`Dialect`]: the decisions (defaults, which peer wins, which ports a protocol takes) are
//! made here once; a dialect only chooses the words of its format (`Accept` or `accept`,
//! `SourceCidrIp` or `cidr`) and the synonyms it accepts.

use ipnet::IpNet;

use super::check::{Checker, PeerFieldNames, LEGACY_PRIORITY};
use super::fields::{
    check_port_field, check_priority_field, check_protocol_field, parse_cidr, parse_ports,
    unknown_value,
};
use super::GroupInfo;
use crate::diagnostic::Location;
use crate::model::{
    Direction, GroupId, NicType, Peer, Policy, PortSpec, PrefixListId, Priority, Protocol, Rule,
    RuleId,
};
use crate::Error;

/// The input format a rule comes from, which decides the wording of its diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// The sglab JSON format: lower-case words, with `inbound`/`outbound` and `allow`/`deny`
    /// accepted as synonyms.
    Sglab,
    /// The aliyun API responses: the API's words only (`Accept`, `ingress`), matched without
    /// regard to case.
    Aliyun,
    /// Terraform's `alicloud_security_group_rule`: the provider's argument names (`type`,
    /// `cidr_ip`, `source_security_group_id`) and its words exactly as it validates them
    /// (`accept`, `ingress`, `intranet`).
    Terraform,
}

/// One raw field: its name in the input format and its value, `None` when absent.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Field<'a> {
    pub(crate) name: &'static str,
    pub(crate) value: Option<&'a str>,
}

impl<'a> Field<'a> {
    /// A field of the given name and value.
    pub(crate) fn new(name: &'static str, value: Option<&'a str>) -> Field<'a> {
        Field { name, value }
    }

    /// The trimmed value, `None` when absent or empty.
    fn present(&self) -> Option<&'a str> {
        self.value.map(str::trim).filter(|text| !text.is_empty())
    }
}

/// The peer fields of one rule.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PeerFields<'a> {
    pub(crate) cidr: Field<'a>,
    pub(crate) ipv6_cidr: Field<'a>,
    pub(crate) group: Field<'a>,
    pub(crate) owner: Field<'a>,
    pub(crate) prefix_list: Field<'a>,
}

impl PeerFields<'_> {
    fn names(&self) -> PeerFieldNames {
        PeerFieldNames {
            cidr: self.cidr.name,
            ipv6_cidr: self.ipv6_cidr.name,
            group: self.group.name,
            prefix_list: self.prefix_list.name,
        }
    }
}

/// The raw fields of one rule, after its direction is read ([`Checker::read_direction`]).
#[derive(Clone, Debug)]
pub(crate) struct RuleFields<'a> {
    pub(crate) id: Field<'a>,
    pub(crate) policy: Field<'a>,
    pub(crate) priority: Field<'a>,
    pub(crate) protocol: Field<'a>,
    pub(crate) port_range: Field<'a>,
    pub(crate) peer: PeerFields<'a>,
    pub(crate) source_port_range: Field<'a>,
    /// The local CIDR (quintuple rules), with the family the field holds when it holds one
    /// (`true` for IPv6); the first present one is used.
    pub(crate) local_cidr: Vec<(Field<'a>, Option<bool>)>,
    pub(crate) nic_type: Field<'a>,
    pub(crate) description: Field<'a>,
}

/// The words a field takes, for its diagnostics.
struct Words {
    /// The field in the sglab format.
    field: &'static str,
    /// The words of the sglab format.
    expected: &'static str,
    /// The words of the API.
    api_expected: &'static str,
    /// The words of the Terraform provider.
    terraform_expected: &'static str,
}

const DIRECTION: Words = Words {
    field: "direction",
    expected: "ingress or egress",
    api_expected: "ingress or egress",
    terraform_expected: "ingress or egress",
};
const POLICY: Words = Words {
    field: "policy",
    expected: "accept or drop",
    api_expected: "Accept or Drop",
    terraform_expected: "accept or drop",
};
const NIC_TYPE: Words = Words {
    field: "nic_type",
    expected: "intranet or internet",
    api_expected: "intranet",
    terraform_expected: "intranet or internet",
};

impl Dialect {
    /// The canonical word of a synonym the format accepts.
    fn canonical(self, text: &str) -> String {
        if self == Dialect::Terraform {
            // The provider validates its words with their case.
            return text.trim().to_owned();
        }
        let word = text.trim().to_ascii_lowercase();
        let synonym = match (self, word.as_str()) {
            (Dialect::Sglab, "inbound" | "in") => "ingress",
            (Dialect::Sglab, "outbound" | "out") => "egress",
            (Dialect::Sglab, "allow") => "accept",
            (Dialect::Sglab, "deny") => "drop",
            _ => return word,
        };
        synonym.to_owned()
    }

    /// Whether a word is written as the dialect requires: the provider validates its words
    /// with their case, the other formats accept any case.
    fn exact(self, text: &str, word: &str) -> bool {
        self != Dialect::Terraform || text.trim() == word
    }

    fn legacy_priority(self) -> &'static str {
        match self {
            Dialect::Sglab => LEGACY_PRIORITY,
            Dialect::Aliyun => "legacy priority 110 from the old console: imported as lower than 100; the API accepts 1 to 100 only",
            Dialect::Terraform => "legacy priority 110 from the old console: imported as lower than 100; the provider accepts 1 to 100 only",
        }
    }
}

impl Checker<'_> {
    fn unknown_word(
        &mut self,
        location: Location,
        dialect: Dialect,
        field: &Field<'_>,
        words: &Words,
    ) {
        let text = field.value.unwrap_or_default();
        match dialect {
            Dialect::Sglab => self.sink.report(
                location,
                &unknown_value(words.field, text.to_owned(), words.expected),
            ),
            Dialect::Aliyun | Dialect::Terraform => {
                let expected = match dialect {
                    Dialect::Terraform => words.terraform_expected,
                    _ => words.api_expected,
                };
                self.sink.error(
                    location,
                    format!("{} {text:?} is not valid: use {expected}", field.name),
                )
            }
        }
    }

    /// The direction of a rule; `None` after reporting a word that is not one.
    pub(crate) fn read_direction(
        &mut self,
        location: &Location,
        dialect: Dialect,
        field: Field<'_>,
    ) -> Option<Direction> {
        let text = field.value.unwrap_or_default();
        let direction = Direction::parse(&dialect.canonical(text))
            .filter(|direction| dialect.exact(text, direction.as_str()));
        if direction.is_none() {
            self.unknown_word(
                location.clone().field(field.name),
                dialect,
                &field,
                &DIRECTION,
            );
        }
        direction
    }

    /// Reads one rule of group `holder_id`. `holder` is what is known of that group: with it,
    /// group and prefix list peers are checked against the topology; without it (an importer
    /// that sees one response at a time) they are checked on the merged model.
    pub(crate) fn read_rule(
        &mut self,
        location: &Location,
        dialect: Dialect,
        direction: Option<Direction>,
        holder_id: &GroupId,
        holder: Option<&GroupInfo>,
        fields: &RuleFields<'_>,
    ) -> Option<Rule> {
        let errors_before = self.sink.error_count();
        let at = |field: &Field<'_>| location.clone().field(field.name);
        let policy = match fields.policy.value {
            None => Some(Policy::Accept),
            Some(text) => {
                let policy = Policy::parse(&dialect.canonical(text))
                    .filter(|policy| dialect.exact(text, policy.as_str()));
                if policy.is_none() {
                    self.unknown_word(at(&fields.policy), dialect, &fields.policy, &POLICY);
                }
                policy
            }
        };
        let priority = match fields.priority.value {
            None => Some(Priority::HIGHEST),
            Some(text) => {
                let priority = self
                    .sink
                    .check(at(&fields.priority), check_priority_field(text));
                if let Some(priority) = priority {
                    self.legacy_priority(at(&fields.priority), priority, dialect.legacy_priority());
                }
                priority
            }
        };
        let protocol = match (dialect, fields.protocol.present()) {
            (Dialect::Aliyun | Dialect::Terraform, None) => {
                let words = match dialect {
                    Dialect::Terraform => "tcp, udp, icmp, icmpv6, gre or all",
                    _ => "TCP, UDP, ICMP, ICMPv6, GRE or ALL",
                };
                self.sink.error(
                    at(&fields.protocol),
                    format!("{} is missing: use {words}", fields.protocol.name),
                );
                None
            }
            _ => self.sink.check(
                at(&fields.protocol),
                check_protocol_field(fields.protocol.value.unwrap_or_default()),
            ),
        };
        // The vendor's formats always carry `start/end`: a single port there is a mistake the
        // API refuses, while the sglab format reads `22` as `22/22`.
        let vendor_form = |text: &str| match dialect {
            Dialect::Sglab => Ok(()),
            Dialect::Aliyun | Dialect::Terraform => PortSpec::refuse_lone_port(text),
        };
        let ports = match (protocol, fields.port_range.value) {
            (Some(protocol), None) if protocol.has_ports() => {
                self.sink
                    .report(at(&fields.port_range), &Error::PortsRequired(protocol));
                None
            }
            (Some(protocol), text) => {
                let text = text.unwrap_or("");
                self.sink.check(
                    at(&fields.port_range),
                    vendor_form(text).and_then(|()| check_port_field(protocol, text)),
                )
            }
            (None, Some(text)) => self.sink.check(
                at(&fields.port_range),
                vendor_form(text).and_then(|()| parse_ports(text)),
            ),
            (None, None) => None,
        };
        let peer = self.read_peer(
            location,
            dialect,
            direction,
            holder_id,
            holder,
            protocol,
            &fields.peer,
        );
        let source_ports = match fields.source_port_range.value {
            None => Some(None),
            Some(text) => self
                .sink
                .check(
                    at(&fields.source_port_range),
                    vendor_form(text).and_then(|()| parse_ports(text)),
                )
                .map(|ports| match ports {
                    PortSpec::All => None,
                    PortSpec::Range(range) => Some(range),
                }),
        };
        let mut local_cidr = None;
        for (field, family) in &fields.local_cidr {
            if let Some(text) = field.value {
                if let Some(cidr) = self.read_cidr(at(field), text, *family) {
                    local_cidr.get_or_insert(cidr);
                }
            }
        }
        let nic_type = match fields.nic_type.value {
            None => Some(NicType::Intranet),
            Some(text) => {
                let nic_type =
                    NicType::parse(text).filter(|nic_type| dialect.exact(text, nic_type.as_str()));
                match nic_type {
                    Some(nic_type) => self.nic_type(at(&fields.nic_type), nic_type),
                    None => self.unknown_word(
                        at(&fields.nic_type),
                        dialect,
                        &fields.nic_type,
                        &NIC_TYPE,
                    ),
                }
                nic_type
            }
        };
        let description = fields.description.value.unwrap_or_default();
        self.description(at(&fields.description), description);
        let id = fields.id.present().map(RuleId::from);
        self.rule_id(at(&fields.id), id.as_ref());
        if self.sink.error_count() > errors_before {
            return None;
        }
        Some(Rule {
            id,
            direction: direction?,
            policy: policy?,
            priority: priority?,
            protocol: protocol?,
            ports: ports?,
            peer: peer?,
            source_ports: source_ports?,
            local_cidr,
            nic_type: nic_type?,
            description: description.to_owned(),
        })
    }

    /// The peer of a rule: exactly one of an IPv4 block, an IPv6 block, a group or a prefix
    /// list. A CIDR block wins over a group, and a prefix list counts only when nothing else is
    /// set, as the API does (with a warning naming what is ignored).
    #[allow(clippy::too_many_arguments)]
    fn read_peer(
        &mut self,
        location: &Location,
        dialect: Dialect,
        direction: Option<Direction>,
        holder_id: &GroupId,
        holder: Option<&GroupInfo>,
        protocol: Option<Protocol>,
        fields: &PeerFields<'_>,
    ) -> Option<Peer> {
        let at = |name: &str| location.clone().field(name);
        let names = fields.names();
        let (cidr, ipv6_cidr) = (fields.cidr.present(), fields.ipv6_cidr.present());
        let (group, prefix_list) = (fields.group.present(), fields.prefix_list.present());
        if cidr.is_some() && ipv6_cidr.is_some() {
            self.sink.error(
                at(names.ipv6_cidr),
                format!(
                    "both {} and {} are given: a rule has one peer, write a second rule for the other family",
                    names.cidr, names.ipv6_cidr
                ),
            );
            return None;
        }
        let (cidr_field, cidr) = match cidr {
            Some(text) => (fields.cidr, Some(text)),
            None => (fields.ipv6_cidr, ipv6_cidr),
        };
        self.ignored_peers(
            location,
            dialect,
            fields,
            cidr_field.name,
            cidr,
            group,
            prefix_list,
        );
        if let Some(text) = cidr {
            let field = at(cidr_field.name);
            let family = match dialect {
                Dialect::Sglab => None,
                Dialect::Aliyun | Dialect::Terraform => Some(cidr_field.name == names.ipv6_cidr),
            };
            let cidr = self.read_cidr(field.clone(), text, family)?;
            if dialect == Dialect::Sglab {
                match (cidr_field.name == names.cidr, cidr) {
                    (true, IpNet::V6(_)) => self.sink.warning(
                        field.clone(),
                        format!(
                            "{} holds the IPv6 block {cidr}: write IPv6 blocks in {}",
                            names.cidr, names.ipv6_cidr
                        ),
                    ),
                    (false, IpNet::V4(_)) => self.sink.warning(
                        field.clone(),
                        format!(
                            "{} holds the IPv4 block {cidr}: write IPv4 blocks in {}",
                            names.ipv6_cidr, names.cidr
                        ),
                    ),
                    _ => {}
                }
            }
            self.peer_family(field, protocol, &cidr)?;
            return Some(Peer::Cidr(cidr));
        }
        if let Some(text) = group {
            let target = GroupId::from(text);
            match holder {
                Some(holder) => {
                    self.group_reference(at(names.group), holder_id, holder, &target)?
                }
                None if &target == holder_id => {
                    self.sink
                        .report(at(names.group), &Error::GroupSelfReference(target));
                    return None;
                }
                None => {}
            }
            return Some(Peer::Group {
                id: target,
                owner_account: fields.owner.present().map(str::to_owned),
            });
        }
        if let Some(text) = prefix_list {
            let id = PrefixListId::from(text);
            if holder.is_some() {
                self.prefix_list_reference(at(names.prefix_list), &id)?;
            }
            return Some(Peer::PrefixList(id));
        }
        match dialect {
            Dialect::Sglab => self.sink.error(
                at(names.cidr),
                format!(
                    "the rule has no peer: give one of {}, {}, {} or {}",
                    names.cidr, names.ipv6_cidr, names.group, names.prefix_list
                ),
            ),
            Dialect::Aliyun | Dialect::Terraform => {
                let side = match direction {
                    Some(Direction::Egress) => "destination",
                    _ => "source",
                };
                self.sink.error(
                    at(names.cidr),
                    format!(
                        "the rule has no {side}: set one of {}, {}, {} or {}",
                        names.cidr, names.ipv6_cidr, names.group, names.prefix_list
                    ),
                );
            }
        }
        None
    }

    /// Warns about the peers that another peer overrides, and about an owner account without
    /// a group peer.
    #[allow(clippy::too_many_arguments)]
    fn ignored_peers(
        &mut self,
        location: &Location,
        dialect: Dialect,
        fields: &PeerFields<'_>,
        cidr_field: &str,
        cidr: Option<&str>,
        group: Option<&str>,
        prefix_list: Option<&str>,
    ) {
        let at = |name: &str| location.clone().field(name);
        let (group_name, list_name) = (fields.group.name, fields.prefix_list.name);
        match dialect {
            Dialect::Sglab => {
                if let (Some(cidr), Some(group)) = (cidr, group) {
                    self.sink.warning(
                        at(group_name),
                        format!("both {cidr_field} {cidr} and {group_name} {group} are given: the CIDR block wins and the group is ignored, as the API does"),
                    );
                }
                if let Some(list) = prefix_list {
                    if cidr.is_some() || group.is_some() {
                        self.sink.warning(
                            at(list_name),
                            format!("{list_name} {list} is ignored because another peer is given, as the API does"),
                        );
                    }
                }
                if fields.owner.value.is_some() && (group.is_none() || cidr.is_some()) {
                    self.sink.warning(
                        at(fields.owner.name),
                        format!(
                            "{} is ignored: it only qualifies a group peer",
                            fields.owner.name
                        ),
                    );
                }
            }
            Dialect::Aliyun | Dialect::Terraform => {
                if cidr.is_some() {
                    for (name, value) in [(group_name, group), (list_name, prefix_list)] {
                        if let Some(value) = value {
                            self.sink.warning(
                                at(name),
                                format!("{name} {value} is ignored: the rule also sets {cidr_field}, and the CIDR block wins"),
                            );
                        }
                    }
                } else if let (Some(group), Some(list)) = (group, prefix_list) {
                    self.sink.warning(
                        at(list_name),
                        format!("{list_name} {list} is ignored: the rule also sets {group_name} {group}, which wins"),
                    );
                }
            }
        }
    }

    /// A CIDR block or a single address; host bits are cleared with a warning. `ipv6` is the
    /// family the field holds, when it holds only one.
    pub(crate) fn read_cidr(
        &mut self,
        location: Location,
        text: &str,
        ipv6: Option<bool>,
    ) -> Option<IpNet> {
        match parse_cidr(text) {
            Ok((net, _)) if ipv6.is_some_and(|ipv6| net.addr().is_ipv6() != ipv6) => {
                let (family, other) = if net.addr().is_ipv6() {
                    ("IPv4", "IPv6")
                } else {
                    ("IPv6", "IPv4")
                };
                self.sink.error(
                    location,
                    format!("{:?} is not an {family} CIDR block: write {other} blocks in the {other} field", text.trim()),
                );
                None
            }
            Ok((net, normalised)) => {
                if normalised {
                    self.sink.warning(
                        location,
                        format!(
                            "CIDR block {} has host bits set: read as {net}",
                            text.trim()
                        ),
                    );
                }
                Some(net)
            }
            Err(error) => {
                self.sink.report(location, &error);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::import::load_files;

    fn attribute(permission: &str) -> String {
        format!(
            r#"{{"SecurityGroupId": "sg-1", "VpcId": "vpc-1", "Permissions": {{"Permission": [{permission}]}}}}"#
        )
    }

    fn messages(permission: &str) -> Vec<String> {
        let text = attribute(permission);
        match load_files(&[("a.json", text.as_str())]) {
            Ok(loaded) => loaded.warnings,
            Err(diagnostics) => diagnostics,
        }
        .iter()
        .map(ToString::to_string)
        .collect()
    }

    #[test]
    fn both_readers_warn_about_nic_type_internet() {
        assert_eq!(
            messages(
                r#"{"Direction": "ingress", "IpProtocol": "TCP", "PortRange": "80/80", "SourceCidrIp": "0.0.0.0/0", "NicType": "internet"}"#
            ),
            ["a.json: security group sg-1, rule 1, field NicType: nic_type internet only meant something on the retired classic network: in a VPC the rule governs private and public traffic alike"]
        );
        let parsed = crate::load::parse_sglab(
            r#"{"sglab": 1, "vpcs": [{"id": "v"}], "security_groups": [{"id": "sg-1", "rules": [
              {"direction": "ingress", "protocol": "tcp", "port_range": "80/80", "cidr": "0.0.0.0/0", "nic_type": "internet"}]}]}"#,
            None,
        )
        .expect("valid");
        assert_eq!(
            parsed.warnings[0].to_string(),
            "security group sg-1, rule 1, field nic_type: nic_type internet only meant something on the retired classic network: in a VPC the rule governs private and public traffic alike"
        );
    }

    #[test]
    fn a_rule_has_one_peer_in_both_readers() {
        assert_eq!(
            messages(
                r#"{"Direction": "ingress", "IpProtocol": "TCP", "PortRange": "80/80", "SourceCidrIp": "0.0.0.0/0", "Ipv6SourceCidrIp": "::/0"}"#
            ),
            ["a.json: security group sg-1, rule 1, field Ipv6SourceCidrIp: both SourceCidrIp and Ipv6SourceCidrIp are given: a rule has one peer, write a second rule for the other family"]
        );
    }

    #[test]
    fn the_api_words_stay_strict() {
        assert_eq!(
            messages(
                r#"{"Direction": "in", "Policy": "deny", "IpProtocol": "TCP", "PortRange": "80/80", "SourceCidrIp": "0.0.0.0/0", "NicType": "wan"}"#
            ),
            [
                "a.json: security group sg-1, rule 1, field Direction: Direction \"in\" is not valid: use ingress or egress",
                "a.json: security group sg-1, rule 1, field Policy: Policy \"deny\" is not valid: use Accept or Drop",
                "a.json: security group sg-1, rule 1, field NicType: NicType \"wan\" is not valid: use intranet",
            ]
        );
    }
}
