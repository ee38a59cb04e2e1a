//! `actorgraph seed`, run as a process against the Bolt server: validates first,
//! writes only what differs, and says what it did; and `actorgraph export`, which
//! writes what `seed` loads back.

use std::path::PathBuf;
use std::process::{Command, Output};

use actorgraph::store::neo4j::{Neo4jConfig, Neo4jStore};
use actorgraph::store::{ActorFilter, PageRequest, RelationFilter, RelationQuery, Repository};

use crate::backends::fresh_bolt_database;
use crate::helpers::seed_path;

fn seed_command(config: Option<&Neo4jConfig>, args: &[&str]) -> Output {
    command("seed", config, args)
}

/// Runs `actorgraph <name> <args>` against `config`'s database, or the embedded
/// store when `None` (whatever the environment says).
fn command(name: &str, config: Option<&Neo4jConfig>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_actorgraph"));
    cmd.arg(name).args(args).env("RUST_LOG", "warn");
    for var in [
        "NEO4J_URI",
        "NEO4J_USER",
        "NEO4J_PASSWORD",
        "NEO4J_DATABASE",
        "ACTORGRAPH_SEED",
        "ACTORGRAPH_DATA_DIR",
        "ACTORGRAPH_EPHEMERAL",
    ] {
        cmd.env_remove(var);
    }
    if let Some(c) = config {
        cmd.env("NEO4J_URI", &c.uri)
            .env("NEO4J_USER", &c.user)
            .env("NEO4J_PASSWORD", &c.password);
        if let Some(db) = &c.database {
            cmd.env("NEO4J_DATABASE", db);
        }
    }
    cmd.output().expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A folder of its own holding a copy of the seed data set, to edit.
fn seed_copy(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("actorgraph-seed-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sources")).unwrap();
    std::fs::copy(
        seed_path().join("actorgraph.json"),
        dir.join("actorgraph.json"),
    )
    .unwrap();
    std::fs::copy(
        seed_path().join("sources/000_55f1dc0345ca374f.txt"),
        dir.join("sources/000_55f1dc0345ca374f.txt"),
    )
    .unwrap();
    dir
}

async fn actor_count(config: &Neo4jConfig) -> usize {
    let store = Neo4jStore::connect(config).await.unwrap();
    let page = PageRequest {
        first: 0,
        after: None,
    };
    store
        .find_actors(&ActorFilter::default(), &page)
        .await
        .unwrap()
        .total_count
}

#[tokio::test]
async fn seeding_twice_writes_the_article_once_then_reports_nothing_changed() {
    let Some(database) = fresh_bolt_database() else {
        return;
    };
    let db = &database.config;
    let path = seed_path();
    let first = seed_command(Some(db), &[path.to_str().unwrap()]);
    assert!(first.status.success(), "{}", stderr(&first));
    let out = stdout(&first);
    assert!(out.contains("actors           27 created"), "{out}");
    assert!(out.contains("relations        40 created"), "{out}");

    let second = seed_command(Some(db), &[path.to_str().unwrap()]);
    assert!(second.status.success(), "{}", stderr(&second));
    let out = stdout(&second);
    assert!(
        out.contains("27 unchanged")
            && out.contains("40 unchanged")
            && out.contains("nothing changed"),
        "{out}"
    );
    assert_eq!(actor_count(db).await, 27);
}

#[tokio::test]
async fn a_changed_record_is_updated_and_the_rest_left_alone() {
    let Some(database) = fresh_bolt_database() else {
        return;
    };
    let db = &database.config;
    let dir = seed_copy("changed");
    assert!(seed_command(Some(db), &[dir.to_str().unwrap()])
        .status
        .success());

    // Edit one relation's summary, and change one actor's kind (which re-creates
    // the node, and carries its relations over).
    let file = dir.join("actorgraph.json");
    let text = std::fs::read_to_string(&file).unwrap();
    let text = text
        .replacen(
            "The CIA signed a US$600 million contract",
            "The CIA signed a $600m contract",
            1,
        )
        .replacen(
            r#""id": "gs-tower",
      "kind": "PLACE""#,
            r#""id": "gs-tower",
      "kind": "COMPANY""#,
            1,
        );
    std::fs::write(&file, text).unwrap();
    let run = seed_command(Some(db), &[dir.to_str().unwrap()]);
    assert!(run.status.success(), "{}", stderr(&run));
    let out = stdout(&run);
    assert!(
        out.contains("actors            0 created         1 updated        26 unchanged"),
        "{out}"
    );
    // The edited contract. The lease of the re-created building is written again
    // as it was (same content and version), so it counts as unchanged.
    assert!(
        out.contains("relations         0 created         1 updated        39 unchanged"),
        "{out}"
    );

    let store = Neo4jStore::connect(db).await.unwrap();
    let lease = RelationQuery {
        order: Default::default(),
        total: true,
        filter: RelationFilter::new(
            Some(actorgraph::domain::ActorId::parse("gs-tower").unwrap()),
            Default::default(),
            vec![],
        ),
        page: PageRequest {
            first: 10,
            after: None,
        },
    };
    let pages = store.find_relations(&[lease]).await.unwrap();
    assert_eq!(
        pages[0].items.len(),
        1,
        "the lease survives the kind change"
    );
    assert_eq!(pages[0].items[0].meta.version, 1, "carried over as it was");
    let gs = store
        .actors_by_ids(&[actorgraph::domain::ActorId::parse("gs-tower").unwrap()])
        .await
        .unwrap();
    assert_eq!(gs[0].kind, actorgraph::domain::ActorKind::Company);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn an_invalid_data_set_is_refused_with_every_problem_and_nothing_is_written() {
    let Some(database) = fresh_bolt_database() else {
        return;
    };
    let db = &database.config;
    let dir = seed_copy("invalid");
    let file = dir.join("actorgraph.json");
    let text = std::fs::read_to_string(&file).unwrap();
    let text = text
        .replacen(r#""to": "amazon""#, r#""to": "nsa""#, 1)
        .replacen(r#""kind": "COMPANY""#, r#""kind": "FIRM""#, 1);
    std::fs::write(&file, text).unwrap();
    let run = seed_command(Some(db), &[dir.to_str().unwrap()]);
    assert!(!run.status.success());
    let err = stderr(&run);
    assert!(err.contains("no actor has the id `nsa`"), "{err}");
    assert!(err.contains("unknown actor kind `FIRM`"), "{err}");
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(actor_count(db).await, 0);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_dry_run_validates_without_a_database() {
    let run = seed_command(None, &["--dry-run", seed_path().to_str().unwrap()]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(stdout(&run).contains("27 actors, 40 relations"));
    assert!(stdout(&run).contains("nothing written"));
}

#[test]
fn seeding_without_a_database_writes_to_the_embedded_store_once() {
    let dir = std::env::temp_dir().join(format!("actorgraph-seed-dir-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let seed = seed_path();
    let args = [seed.to_str().unwrap(), "--data-dir", dir.to_str().unwrap()];
    let first = seed_command(None, &args);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).contains("done"), "{}", stdout(&first));
    assert!(dir.join("actorgraph.redb").exists());
    let again = seed_command(None, &args);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stdout(&again).contains("nothing changed"),
        "{}",
        stdout(&again)
    );
    let reset = seed_command(None, &[args[0], args[1], args[2], "--reset", "--yes"]);
    assert!(!reset.status.success());
    assert!(stderr(&reset).contains("remove"), "{}", stderr(&reset));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unreachable_database_fails_with_a_clear_message() {
    let config = Neo4jConfig {
        uri: "bolt://127.0.0.1:9".into(),
        user: "neo4j".into(),
        password: "x".into(),
        database: None,
        query_timeout: std::time::Duration::from_secs(5),
        max_connections: 1,
    };
    let run = seed_command(Some(&config), &[seed_path().to_str().unwrap()]);
    assert!(!run.status.success());
    assert!(
        stderr(&run).contains("could not reach the Neo4j database at bolt://127.0.0.1:9"),
        "{}",
        stderr(&run)
    );
}

#[test]
fn reset_asks_for_confirmation() {
    let run = seed_command(None, &["--reset", seed_path().to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2));
    assert!(stderr(&run).contains("--yes"));
}

#[tokio::test]
async fn reset_deletes_the_data_sets_records_then_writes_them_again() {
    let Some(database) = fresh_bolt_database() else {
        return;
    };
    let db = &database.config;
    let path = seed_path();
    assert!(seed_command(Some(db), &[path.to_str().unwrap()])
        .status
        .success());
    let run = seed_command(Some(db), &["--reset", "--yes", path.to_str().unwrap()]);
    assert!(run.status.success(), "{}", stderr(&run));
    let out = stdout(&run);
    assert!(
        out.contains("27 created") && out.contains("(27 deleted first by --reset)"),
        "{out}"
    );
    assert_eq!(actor_count(db).await, 27);
    // The log says so: 68 creations by the first seed, then the reset's 68
    // deletions, then 68 creations again.
    let store = Neo4jStore::connect(db).await.unwrap();
    let log = store
        .changes(&actorgraph::store::ChangeQuery {
            after: 0,
            first: 1_000,
            ..Default::default()
        })
        .await
        .unwrap()
        .items;
    let kinds: Vec<&str> = log.iter().map(|e| e.change.as_str()).collect();
    assert_eq!(kinds.len(), 3 * 68);
    assert!(kinds[..68].iter().all(|k| *k == "created"));
    assert!(kinds[68..136].iter().all(|k| *k == "deleted"));
    assert!(kinds[136..].iter().all(|k| *k == "created"));
    let kt = log[68..136]
        .iter()
        .find(|e| e.id == "kt")
        .expect("kt's deletion");
    assert_eq!(kt.by, "seed");
    assert!(kt.before.is_some() && kt.after.is_none());
    // The kept counts went down with the deletions and up again: the seed's once.
    use actorgraph::store::Repository;
    let stats = store.stats().await.unwrap();
    let seed = actorgraph::seed::load(&path).unwrap();
    let actors: usize = stats.actors_by_kind.iter().map(|(_, n)| n).sum();
    let relations: usize = stats.relations_by_type.iter().map(|(_, n)| n).sum();
    assert_eq!(actors, seed.actors.len());
    assert_eq!(relations, seed.relations.len());
    assert_eq!(stats.sources, seed.sources.len());
}

#[tokio::test]
async fn a_synthetic_data_set_of_any_size_seeds() {
    let Some(database) = fresh_bolt_database() else {
        return;
    };
    let db = &database.config;
    let run = seed_command(Some(db), &["--synthetic", "200", "--batch-size", "64"]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(
        stdout(&run).contains("relations      1000 created"),
        "{}",
        stdout(&run)
    );
    assert_eq!(actor_count(db).await, 200);
}

#[tokio::test]
async fn an_export_round_trips_from_the_embedded_store_through_bolt_to_the_same_document() {
    let Some(database) = fresh_bolt_database() else {
        return;
    };
    let db = &database.config;
    let dir = std::env::temp_dir().join(format!("actorgraph-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (first, second) = (dir.join("embedded.json"), dir.join("bolt.json"));
    let data_dir = dir.join("data");
    let _ = std::fs::remove_dir_all(&data_dir);
    let seed = seed_path();

    // Into a new data directory of the embedded store, then out of it.
    let data = data_dir.to_str().unwrap();
    let out = seed_command(None, &[seed.to_str().unwrap(), "--data-dir", data]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out)
            .lines()
            .any(|l| l.starts_with("actors") && l.contains(" 27 created")),
        "{}",
        stdout(&out)
    );
    let out = command(
        "export",
        None,
        &["--data-dir", data, "--out", first.to_str().unwrap()],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("1 sources, 27 actors, 40 relations"),
        "{}",
        stderr(&out)
    );

    let out = seed_command(Some(db), &[first.to_str().unwrap()]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let out = command(
        "export",
        Some(db),
        &["--out", second.to_str().unwrap(), "--page-size", "7"],
    );
    assert!(out.status.success(), "{}", stderr(&out));

    let a = std::fs::read(&first).unwrap();
    let b = std::fs::read(&second).unwrap();
    assert!(a == b, "the two exports differ");
    // Seeding the export again changes nothing: it is the same graph.
    let out = seed_command(Some(db), &[second.to_str().unwrap()]);
    assert!(stdout(&out).contains("nothing changed"), "{}", stdout(&out));
    // And it is the seed's graph: the export validates to the seed's records.
    let doc: actorgraph::domain::RawDocument = serde_json::from_slice(&a).unwrap();
    let mut exported = actorgraph::domain::validate(&[("export", &doc)]).expect("valid");
    let mut seeded = crate::helpers::seed_dataset();
    for d in [&mut exported, &mut seeded] {
        d.actors.sort_by(|a, b| a.id.cmp(&b.id));
        d.relations.sort_by(|a, b| a.id.cmp(&b.id));
        d.sources.sort_by(|a, b| a.id.cmp(&b.id));
    }
    assert_eq!(exported.actors, seeded.actors);
    assert_eq!(exported.relations, seeded.relations);
    assert_eq!(exported.sources, seeded.sources);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `actorgraph intake FILE` stores the article and its claims in the embedded
/// store's directory (as `cli`), and `--dry-run` stores nothing.
#[test]
fn intake_stores_an_article_and_its_claims_and_a_dry_run_nothing() {
    let dir = std::env::temp_dir().join(format!("actorgraph-intake-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let article = dir.join("Follow-up 2015.txt");
    std::fs::write(
        &article,
        "실제로 중앙정보국(CIA)이 아마존과 6억 달러 규모의 계약을 맺었다.\n한국소프트웨어산업협회는 국회에 클라우드법 통과를 촉구했다.\n",
    )
    .unwrap();
    let data = dir.join("data");
    let seed = seed_path();
    let common = [
        "--data-dir",
        data.to_str().unwrap(),
        "--seed",
        seed.to_str().unwrap(),
        "--published",
        "2015-04-10",
    ];
    let dry = command(
        "intake",
        None,
        &[&[article.to_str().unwrap(), "--dry-run"][..], &common[..]].concat(),
    );
    assert!(dry.status.success(), "{}", stderr(&dry));
    let out = stdout(&dry);
    assert!(
        out.contains("follow-up-2015-c0001  cia -CONTRACT-> amazon"),
        "{out}"
    );
    assert!(
        out.contains("한국소프트웨어산업협회 (new ASSOCIATION)"),
        "{out}"
    );
    assert!(out.contains("(dry run: nothing stored)"), "{out}");
    let stored = command(
        "intake",
        None,
        &[&[article.to_str().unwrap(), "--json"][..], &common[..]].concat(),
    );
    assert!(stored.status.success(), "{}", stderr(&stored));
    let claims: serde_json::Value = serde_json::from_str(&stdout(&stored)).unwrap();
    assert_eq!(claims[0]["id"], "follow-up-2015-c0001");
    assert_eq!(claims[0]["review"], "pending");
    let again = command(
        "intake",
        None,
        &[&[article.to_str().unwrap()][..], &common[..]].concat(),
    );
    assert!(
        !again.status.success(),
        "the source exists: {}",
        stdout(&again)
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (store, _) = actorgraph::store::memory::MemoryStore::open(&data, || {
        Err("the directory was filled".into())
    })
    .unwrap();
    let query = actorgraph::store::ClaimQuery {
        page: PageRequest {
            first: 100,
            after: None,
        },
        ..Default::default()
    };
    let page = rt.block_on(store.find_claims(&query)).unwrap();
    assert_eq!(page.items.len(), claims.as_array().unwrap().len());
    assert_eq!(
        page.items[0].meta.created_by.as_deref(),
        Some("cli"),
        "the history says who brought it in"
    );
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `actorgraph export --format` writes the seed in every format, and the tools
/// investigators use read each back whole (tools/formats/check.py: networkx for
/// GraphML and GEXF, Python's csv for the tables, citeproc-py for CSL-JSON).
#[test]
fn every_export_format_is_read_back_by_the_tools_that_use_it() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let python = root.join("tools/formats/.venv/bin/python");
    if !python.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install tools/formats (scripts/test does)"
        );
        eprintln!("skipped: run scripts/test once to install tools/formats/.venv");
        return;
    }
    let dir = std::env::temp_dir().join(format!("actorgraph-formats-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("data");
    let seed = seed_path();
    // The whole graph, then a part of it: the paths from the CIA to KT and the
    // neighbourhood of the cloud bill, as of 2015.
    let whole: &[&str] = &[];
    let part: &[&str] = &[
        "--from",
        "cia",
        "--to",
        "kt",
        "--around",
        "cloud-development-act",
        "--as-of",
        "2015",
    ];
    for (selection, folder, want) in [
        (whole, "whole", "formats ok: 27 nodes, 40 edges"),
        (part, "part", "formats ok: "),
    ] {
        let out = dir.join(folder);
        std::fs::create_dir_all(&out).unwrap();
        for (format, file) in [
            ("json", "graph.json"),
            ("ftm", "graph.ftm"),
            ("graphml", "graph.graphml"),
            ("gexf", "graph.gexf"),
            ("csv", "csv"),
            ("csl", "graph.csl"),
            ("brief", "graph.md"),
            ("brief-html", "graph.html"),
        ] {
            let mut args = vec![
                "--format",
                format,
                "--out",
                out.join(file).to_str().unwrap(),
                "--data-dir",
                data.to_str().unwrap(),
                "--seed",
                seed.to_str().unwrap(),
            ]
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>();
            args.extend(selection.iter().map(|s| s.to_string()));
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let o = command("export", None, &args);
            assert!(o.status.success(), "{folder} {format}: {}", stderr(&o));
        }
        let check = Command::new(&python)
            .arg(root.join("tools/formats/check.py"))
            .arg(&out)
            .output()
            .expect("python runs");
        assert!(
            check.status.success(),
            "{folder}: {}{}",
            stdout(&check),
            stderr(&check)
        );
        assert!(stdout(&check).contains(want), "{}", stdout(&check));
        if folder == "part" {
            let doc: serde_json::Value =
                serde_json::from_slice(&std::fs::read(out.join("graph.json")).unwrap()).unwrap();
            let ids = |k: &str| -> Vec<String> {
                doc[k]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x["id"].as_str().unwrap().to_string())
                    .collect()
            };
            let (actors, relations) = (ids("actors"), ids("relations"));
            assert!(
                actors.len() < 27 && relations.len() < 40,
                "a part: {actors:?}"
            );
            for id in ["cia", "kt", "cloud-development-act"] {
                assert!(actors.contains(&id.to_string()), "{id} in {actors:?}");
            }
            let brief = std::fs::read_to_string(out.join("graph.md")).unwrap();
            assert!(
                brief.starts_with(
                    "# How Central Intelligence Agency is connected to KT Corporation, as of 2015"
                ),
                "{brief}"
            );
            assert!(
                brief.contains("## Path 1: Central Intelligence Agency → "),
                "{brief}"
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
