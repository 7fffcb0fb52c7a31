//! What the diff's own tests left unread, found by mutation testing (`docs/testing.md`): the
//! verdict's words read back, and the ways of reading a diff's changes (by index, with their
//! ranks and shared keys, their number) agreeing with one another.

use std::collections::BTreeMap;

use sglab_core::diff::{diff, Diff, Verdict};
use sglab_core::generate::{generate, GenParams, Shape};
use sglab_core::model::Topology;

/// The first diff of a generated topology with one group's rules replaced by another's that
/// changes more than `at_least` pairs and protocols.
fn a_diff(shape: Shape, at_least: usize) -> (Topology, Topology, Diff) {
    let old = generate(5, &GenParams::of_shape(shape, 40, 6, 160));
    let groups: Vec<_> = old
        .groups
        .values()
        .filter(|group| !group.rules.is_empty() && group.managed_by.is_none())
        .map(|group| group.id.clone())
        .collect();
    groups
        .iter()
        .flat_map(|first| groups.iter().map(move |second| (first, second)))
        .filter(|(first, second)| first != second)
        .find_map(|(first, second)| {
            let mut new = old.clone();
            let rules = new.groups[second].rules.clone();
            new.groups.get_mut(first)?.rules = rules;
            let found = diff(&old, &new);
            (found.changes.len() > at_least).then(|| (old.clone(), new, found))
        })
        .expect("some replacement changes enough")
}

#[test]
fn every_verdict_reads_back_from_its_word() {
    for verdict in [
        Verdict::Equivalent,
        Verdict::MorePermissive,
        Verdict::LessPermissive,
        Verdict::Mixed,
    ] {
        assert_eq!(Verdict::parse(verdict.as_str()), Some(verdict));
        let shouted = format!(" {} ", verdict.as_str().to_uppercase());
        assert_eq!(Verdict::parse(&shouted), Some(verdict), "{shouted:?}");
    }
    for word in ["", "opened", "permissive", "more permissive"] {
        assert_eq!(Verdict::parse(word), None, "{word:?}");
    }
}

#[test]
fn the_ways_of_reading_changes_agree() {
    for shape in [Shape::Roles, Shape::Varied] {
        let (_, _, found) = a_diff(shape, 20);
        let changes = &found.changes;
        let listed: Vec<_> = changes.iter().collect();
        assert!(!changes.is_empty());
        assert_eq!(changes.len(), listed.len());
        assert_eq!(changes.iter().len(), listed.len());
        assert_eq!(changes.iter().rev().count(), listed.len());
        for (index, change) in listed.iter().enumerate() {
            assert_eq!(changes.get(index).as_ref(), Some(change), "change {index}");
        }
        assert_eq!(changes.get(listed.len()), None);
        // Sorted by source, target and protocol, each once; two changes are equal only when
        // their pairs, protocols and ports are.
        for window in listed.windows(2) {
            let key = |change: &sglab_core::diff::Change<'_>| {
                (change.from.clone(), change.to.clone(), change.protocol)
            };
            assert!(key(&window[0]) < key(&window[1]), "{shape:?}: {window:?}");
            assert_ne!(window[0], window[1]);
        }
        assert!(
            listed
                .windows(2)
                .any(|pair| pair[0].from == pair[1].from && pair[0].to == pair[1].to),
            "{shape:?}: some pair changes on two protocols"
        );

        // The decisions are the same whatever the order they are read in, alone or together.
        let decided: Vec<_> = changes.iter_decided().map(|(_, decided)| decided).collect();
        let mut backwards = changes.decisions();
        for (index, change) in listed.iter().enumerate().rev() {
            assert_eq!(
                backwards.of(change),
                decided[index],
                "change {index} read backwards"
            );
        }
        for index in (0..listed.len()).step_by(7) {
            let alone = changes.decisions().of(&listed[index]);
            assert_eq!(alone, decided[index], "change {index} read alone");
        }

        // Every party is among the ids, sorted, and the ranks name the change's parties.
        let ids = changes.ids();
        assert!(
            ids.windows(2).all(|pair| pair[0] < pair[1]),
            "the ids are sorted"
        );
        let shared: Vec<_> = changes.iter_shared().collect();
        assert_eq!(shared.len(), listed.len());
        let mut ports = BTreeMap::new();
        for ((change, keys), listed) in shared.iter().zip(&listed) {
            assert_eq!(change, listed);
            assert_eq!(ids.get(keys.from as usize), Some(change.from));
            assert_eq!(ids.get(keys.to as usize), Some(change.to));
            // One key, one value: equal keys share their ports.
            let seen = ports
                .entry(keys.ports)
                .or_insert((change.opened, change.closed));
            assert_eq!(*seen, (change.opened, change.closed));
        }
        // The rows share: fewer lists of ports than changes.
        assert!(
            ports.len() < listed.len(),
            "{shape:?}: {} keys",
            ports.len()
        );
    }
}

#[test]
fn a_diff_with_nothing_changed_reads_as_empty() {
    let topology = generate(2, &GenParams::small(8, 3, 20));
    let same = diff(&topology, &topology);
    assert!(same.changes.is_empty());
    assert_eq!(same.changes.len(), 0);
    assert_eq!(same.changes.iter().next(), None);
    assert_eq!(same.changes.get(0), None);
}

#[test]
fn changes_compare_and_serialise_as_their_list() {
    let (old, new, found) = a_diff(Shape::Varied, 20);
    let again = diff(&old, &new);
    assert_eq!(found.changes, again.changes);
    assert_eq!(found.changes, found.changes.clone());
    // The other way round: as many changes, each with opened and closed swapped.
    let back = diff(&new, &old);
    assert_eq!(back.changes.len(), found.changes.len());
    assert_ne!(back.changes, found.changes);
    let empty = diff(&old, &old);
    assert_ne!(empty.changes, found.changes);
    assert_eq!(empty.changes, diff(&new, &new).changes);
    // The JSON form is the list of the changes, each as its view writes it with its decisions.
    let json = serde_json::to_value(&found.changes).expect("serialises");
    let listed: Vec<serde_json::Value> = found
        .changes
        .iter_decided()
        .map(|(change, decided)| {
            let mut value = serde_json::to_value(change).expect("serialises");
            let object = value.as_object_mut().expect("an object");
            for (key, deciding) in [("before", &decided.before), ("after", &decided.after)] {
                let deciding = serde_json::to_value(deciding).expect("serialises");
                object.insert(key.to_owned(), deciding);
            }
            value
        })
        .collect();
    assert_eq!(json, serde_json::Value::Array(listed));
    assert!(
        json.as_array()
            .into_iter()
            .flatten()
            .any(|change| change["before"].is_object() && change["after"].is_object()),
        "some change is decided on both sides"
    );
}

#[test]
fn each_changed_setting_of_a_group_or_endpoint_is_named() {
    use sglab_core::diff::{ChangeKind, ObjectChange, ObjectKind};
    use sglab_core::model::{GroupType, InnerAccessPolicy};

    let old = generate(3, &GenParams::small(8, 3, 20));
    let group = old.groups.keys().next().expect("a group").clone();
    let endpoint = old.endpoints.keys().next().expect("an endpoint").clone();
    let changed = |object: ObjectKind, id: &str, fields: Vec<&'static str>| ObjectChange {
        object,
        id: id.to_owned(),
        kind: ChangeKind::Changed,
        fields,
    };
    type Edit = Box<dyn Fn(&mut Topology)>;
    let group_edits: Vec<(&'static str, Edit)> = vec![
        (
            "name",
            Box::new(|t| t.groups.values_mut().next().unwrap().name.push('x')),
        ),
        (
            "description",
            Box::new(|t| t.groups.values_mut().next().unwrap().description.push('x')),
        ),
        (
            "tags",
            Box::new(|t| {
                t.groups
                    .values_mut()
                    .next()
                    .unwrap()
                    .tags
                    .insert("team".into(), "x".into());
            }),
        ),
        (
            "group_type",
            Box::new(|t| {
                let g = t.groups.values_mut().next().unwrap();
                g.group_type = match g.group_type {
                    GroupType::Basic => GroupType::Enterprise,
                    GroupType::Enterprise => GroupType::Basic,
                };
            }),
        ),
        (
            "inner_access_policy",
            Box::new(|t| {
                let g = t.groups.values_mut().next().unwrap();
                g.inner_access_policy = match g.inner_access_policy {
                    InnerAccessPolicy::Accept => InnerAccessPolicy::Drop,
                    InnerAccessPolicy::Drop => InnerAccessPolicy::Accept,
                };
            }),
        ),
        (
            "managed_by",
            Box::new(|t| t.groups.values_mut().next().unwrap().managed_by = Some("ack".into())),
        ),
    ];
    for (field, edit) in &group_edits {
        let mut new = old.clone();
        edit(&mut new);
        let found = diff(&old, &new);
        assert_eq!(
            found.object_changes,
            vec![changed(ObjectKind::Group, group.as_str(), vec![field])],
            "{field}"
        );
    }
    let mut renamed = old.clone();
    renamed
        .endpoints
        .values_mut()
        .next()
        .unwrap()
        .name
        .push('x');
    assert_eq!(
        diff(&old, &renamed).object_changes,
        vec![changed(
            ObjectKind::Endpoint,
            endpoint.as_str(),
            vec!["name"]
        )]
    );
    // Removed, then added; an object left alone is never listed.
    let mut fewer = old.clone();
    fewer.endpoints.remove(&endpoint);
    let removed = diff(&old, &fewer).object_changes;
    assert_eq!(removed.len(), 1);
    assert_eq!(
        (removed[0].object, removed[0].kind),
        (ObjectKind::Endpoint, ChangeKind::Removed)
    );
    let added = diff(&fewer, &old).object_changes;
    assert_eq!(
        (added[0].object, added[0].kind),
        (ObjectKind::Endpoint, ChangeKind::Added)
    );
    assert!(diff(&old, &old).object_changes.is_empty());
}

/// A topology of sglab JSON whose VPC is `cidr` and whose one group's rules admit TCP 22 from
/// each of `peers`.
fn with_peers(cidr: &str, peers: &[&str]) -> Topology {
    let rules: Vec<String> = peers
        .iter()
        .map(|peer| {
            format!(
                r#"{{"direction": "ingress", "policy": "accept", "priority": 1, "protocol": "tcp", "port_range": "22/22", "cidr": "{peer}"}}"#
            )
        })
        .collect();
    let text = format!(
        r#"{{"sglab": 1, "name": "peers", "vpcs": [{{"id": "vpc-1", "cidr": "{cidr}"}}],
            "security_groups": [{{"id": "sg-1", "rules": [{}]}}],
            "endpoints": [{{"id": "web", "kind": "ecs", "private_ip": "{}", "public_ip": "198.51.100.7", "groups": ["sg-1"]}},
                          {{"id": "office", "kind": "external", "cidr": "192.0.2.0/24"}}]}}"#,
        rules.join(", "),
        cidr.replace(".0/16", ".5").replace("0.0/16", "0.5"),
    );
    sglab_core::load::parse_sglab(&text, None)
        .unwrap_or_else(|problems| panic!("{problems:?}"))
        .topology
}

#[test]
fn the_external_blocks_are_those_the_rules_name_outside_every_vpc() {
    let peers = [
        "0.0.0.0/0",
        "203.0.113.0/24",
        "10.0.7.0/24",
        "172.16.1.0/24",
        "192.0.2.0/24",
    ];
    let old = with_peers("10.0.0.0/16", &peers);
    let blocks = |old: &Topology, new: &Topology| -> Vec<String> {
        sglab_core::diff::external_blocks(old, new)
            .iter()
            .map(ToString::to_string)
            .collect()
    };
    // The VPC's own block is private, and the office's block has an endpoint already.
    assert_eq!(
        blocks(&old, &old),
        ["0.0.0.0/0", "172.16.1.0/24", "203.0.113.0/24"]
    );
    // A block private on one side only is left out on both.
    let new = with_peers("172.16.0.0/16", &peers);
    assert_eq!(blocks(&old, &new), ["0.0.0.0/0", "203.0.113.0/24"]);
    assert_eq!(blocks(&new, &old), ["0.0.0.0/0", "203.0.113.0/24"]);
    assert_eq!(
        diff(&old, &new).external_peers,
        sglab_core::diff::external_blocks(&old, &new)
    );
    // A block whose text is already an endpoint's id, on either side, is left out.
    let mut named = old.clone();
    let mut endpoint = named
        .endpoints
        .values()
        .next()
        .expect("an endpoint")
        .clone();
    endpoint.id = sglab_core::model::EndpointId("203.0.113.0/24".into());
    named.endpoints.insert(endpoint.id.clone(), endpoint);
    assert_eq!(blocks(&old, &named), ["0.0.0.0/0", "172.16.1.0/24"]);
    assert_eq!(blocks(&named, &old), ["0.0.0.0/0", "172.16.1.0/24"]);
}

/// The counts in words, as reports and the compare mode's banner print them: pairs in the
/// singular or plural, thousands set apart, each protocol's ports (or pairs, for a protocol
/// without ports) in brackets.
#[test]
fn counts_read_in_words() {
    use sglab_core::diff::{grouped, plural, Counts};
    use sglab_core::model::Protocol;

    for (count, words) in [
        (0, "0"),
        (7, "7"),
        (999, "999"),
        (1_000, "1,000"),
        (12_345, "12,345"),
        (100_000, "100,000"),
        (1_096_326, "1,096,326"),
        (68_065_063_256, "68,065,063,256"),
    ] {
        assert_eq!(grouped(count), words, "{count}");
    }
    assert_eq!(plural(0, "pair"), "0 pairs");
    assert_eq!(plural(1, "pair"), "1 pair");
    assert_eq!(plural(2, "port"), "2 ports");
    assert_eq!(plural(1_000, "port"), "1,000 ports");

    assert_eq!(Counts::default().words(), "0 pairs opened, 0 pairs closed");
    let counts = Counts {
        pairs_opened: 1,
        pairs_closed: 1_096_326,
        ports_opened: [(Protocol::Tcp, 1)].into_iter().collect(),
        ports_closed: [(Protocol::Tcp, 68_065_063_256), (Protocol::Icmp, 3)]
            .into_iter()
            .collect(),
    };
    assert_eq!(
        counts.words(),
        "1 pair opened (tcp 1 port), 1,096,326 pairs closed (tcp 68,065,063,256 ports, icmp on 3 pairs)"
    );
}

/// A topology whose first group has exactly `rules`, and the group's id.
fn with_rules(base: &Topology, rules: Vec<sglab_core::model::Rule>) -> (Topology, String) {
    let mut topology = base.clone();
    let group = topology.groups.values_mut().next().expect("a group");
    group.rules = rules.into();
    let id = group.id.to_string();
    (topology, id)
}

/// The rule changes of a diff as (kind, direction, old index, new index, fields) in words.
fn rule_changes_of(found: &Diff) -> Vec<String> {
    found
        .rule_changes
        .iter()
        .map(|change| {
            let fields: Vec<&str> = change.fields.iter().map(|field| field.as_str()).collect();
            format!(
                "{:?} {} {:?}->{:?} [{}]",
                change.kind,
                change.direction.as_str(),
                change.old_index,
                change.new_index,
                fields.join(",")
            )
        })
        .collect()
}

/// Rules are matched by id first, then by equal content (every field but the id, the
/// description included), then by position; a rule moved keeps its match, and a rule of the
/// other direction is listed under its own direction.
#[test]
fn rules_are_matched_by_id_then_content_then_position() {
    use sglab_core::model::{Direction, Priority, RuleId};

    let base = generate(4, &GenParams::small(6, 2, 10));
    let template = base
        .groups
        .values()
        .flat_map(|group| group.rules.iter())
        .find(|rule| rule.direction == Direction::Ingress)
        .expect("an ingress rule")
        .clone();
    let rule = |id: Option<&str>, description: &str, priority: u32| {
        let mut rule = template.clone();
        rule.id = id.map(|id| RuleId(id.to_owned()));
        rule.description = description.to_owned();
        rule.priority = Priority::new(priority).expect("a priority");
        rule
    };

    // By id: the two rules swapped, the second's priority changed.
    let (old, group) = with_rules(
        &base,
        vec![rule(Some("sgr-1"), "a", 5), rule(Some("sgr-2"), "b", 6)],
    );
    let (new, _) = with_rules(
        &base,
        vec![rule(Some("sgr-2"), "b", 7), rule(Some("sgr-1"), "a", 5)],
    );
    let found = diff(&old, &new);
    assert_eq!(
        rule_changes_of(&found),
        vec!["Changed ingress Some(1)->Some(0) [priority]"],
        "{group}"
    );

    // By content: two rules without ids that differ only in their descriptions, swapped:
    // nothing changed.
    let (old, _) = with_rules(&base, vec![rule(None, "a", 5), rule(None, "b", 5)]);
    let (new, _) = with_rules(&base, vec![rule(None, "b", 5), rule(None, "a", 5)]);
    assert_eq!(rule_changes_of(&diff(&old, &new)), Vec::<String>::new());

    // By position, what neither id nor content matched: the description alone changed.
    let (new, _) = with_rules(&base, vec![rule(None, "c", 5), rule(None, "b", 5)]);
    assert_eq!(
        rule_changes_of(&diff(&old, &new)),
        vec!["Changed ingress Some(0)->Some(0) [description]"]
    );

    // A rule of each direction: an egress rule added is listed as egress, at its index.
    let mut egress = rule(None, "out", 5);
    egress.direction = Direction::Egress;
    let (old, _) = with_rules(&base, vec![rule(None, "a", 5)]);
    let (new, _) = with_rules(&base, vec![rule(None, "a", 5), egress]);
    assert_eq!(
        rule_changes_of(&diff(&old, &new)),
        vec!["Added egress None->Some(1) []"]
    );
}
