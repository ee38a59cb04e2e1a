//! `GET /export`: the graph, or a part of it, in one of the export formats, for a
//! link in a page or a `curl` in a script: public like reads, and limited like
//! them (the key when reads need one, the rate, the deadline, the response size),
//! with its cost bounded before any work.
//!
//! `?format=json|ftm|graphml|gexf|csv|csl|brief|brief-html` (default `json`);
//! `table=nodes|edges|evidence` for `csv` (default `edges`); the part as
//! `around=cia,kt&depth=1&limit=100`, `from=cia&to=kt&maxHops=4&paths=5&directed=false`,
//! `types=CONTRACT,LEASE`, `asOf=2015`. Without `around` or `from`/`to`, the whole
//! graph, when it has at most [`MAX_RECORDS`] actors and relations.

use std::time::Instant;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use clap::ValueEnum;
use serde_json::json;

use super::graphql::{caller, http_error, rate_limit, refuse_anonymous};
use super::AppState;
use crate::api::ErrorCode;
use crate::domain::formats::{self, Format};
use crate::store::export::{SelectError, Selection, SelectionParams};
use crate::store::StoreError;

/// Most actors and relations a whole-graph export over HTTP answers; a larger
/// graph is exported in parts, or with `actorgraph export`.
pub const MAX_RECORDS: usize = 20_000;

/// The parameters `GET /export` reads.
const PARAMETERS: &str =
    "format, table, around, depth, limit, from, to, maxHops, paths, directed, types, asOf";

/// A 400 for a wrong parameter, with the parameter named in `extensions.argument`.
fn bad_parameter(argument: &str, message: &str) -> HttpResponse {
    HttpResponse::BadRequest().json(json!({"errors": [{
        "message": message,
        "extensions": {"code": ErrorCode::BadUserInput.as_str(), "argument": argument}
    }]}))
}

/// What the walk of a selection may cost, in the units of the GraphQL complexity
/// budget: the relations of up to `limit` actors at each of `depth` levels per
/// centre, and a path search like the `paths` field's.
fn cost(selection: &Selection) -> usize {
    let around = selection.around.len() * selection.limit * selection.depth;
    let paths = if selection.from.is_some() {
        crate::api::PATH_WALK_COST * selection.max_hops
    } else {
        0
    };
    1 + around + paths
}

/// The request's parameters: the format, the CSV table, the selection.
// The error is the response to send.
#[allow(clippy::result_large_err)]
fn parse(query: &str) -> Result<(Format, &'static str, Selection), HttpResponse> {
    let pairs = web::Query::<Vec<(String, String)>>::from_query(query)
        .map_err(|e| bad_parameter("query", &format!("The query string cannot be read: {e}")))?
        .into_inner();
    let mut params = SelectionParams::default();
    let (mut format, mut table) = (None, None);
    for (key, value) in pairs {
        let slot = match key.as_str() {
            "format" => &mut format,
            "table" => &mut table,
            "around" => &mut params.around,
            "depth" => &mut params.depth,
            "limit" => &mut params.limit,
            "from" => &mut params.from,
            "to" => &mut params.to,
            "maxHops" => &mut params.max_hops,
            "paths" => &mut params.paths,
            "directed" => &mut params.directed,
            "types" => &mut params.types,
            "asOf" => &mut params.as_of,
            other => {
                return Err(bad_parameter(
                    other,
                    &format!("`{other}` is not a parameter of /export; use {PARAMETERS}"),
                ))
            }
        };
        // A list may come as `around=a,b` or as `around=a&around=b`.
        match slot {
            Some(earlier) if matches!(key.as_str(), "around" | "types") => {
                earlier.push(',');
                earlier.push_str(&value);
            }
            Some(_) => {
                return Err(bad_parameter(
                    &key,
                    &format!("`{key}` is given twice; give it once"),
                ))
            }
            None => *slot = Some(value),
        }
    }
    let format = match format.as_deref() {
        None | Some("") => Format::Json,
        Some(f) => Format::from_str(f, true).map_err(|_| {
            bad_parameter(
                "format",
                &format!("`{f}` is not a format; use json, ftm, graphml, gexf, csv, csl, brief or brief-html"),
            )
        })?,
    };
    let table = match (format, table.as_deref()) {
        (Format::Csv, None | Some("edges")) => "edges.csv",
        (Format::Csv, Some("nodes")) => "nodes.csv",
        (Format::Csv, Some("evidence")) => "evidence.csv",
        (Format::Csv, Some(t)) => {
            return Err(bad_parameter(
                "table",
                &format!("`{t}` is not a table; use nodes, edges or evidence"),
            ))
        }
        (_, None) => "",
        (_, Some(_)) => return Err(bad_parameter("table", "`table` is for format=csv only")),
    };
    let selection = params
        .selection()
        .map_err(|(argument, message)| bad_parameter(argument, &message))?;
    Ok((format, table, selection))
}

/// A name for the file: `actorgraph-cia.graphml`, `actorgraph-cia-to-kt.md`.
fn file_name(selection: &Selection, format: Format, table: &str) -> String {
    let mut parts: Vec<&str> = selection.around.iter().map(|a| a.as_str()).collect();
    if let Some((from, to)) = selection.from.as_ref().zip(selection.to.as_ref()) {
        parts.extend([from.as_str(), "to", to.as_str()]);
    }
    let scope = if parts.is_empty() {
        "graph".to_string()
    } else {
        parts.truncate(8);
        parts.join("-")
    };
    match table.strip_suffix(".csv") {
        Some(t) => format!("actorgraph-{scope}-{t}.csv"),
        None => format!("actorgraph-{scope}.{}", format.extension()),
    }
}

/// GET /export.
pub async fn export(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    // The key and the rate first: nothing of the request is read before them.
    let auth = caller(&state, &req);
    if let Some(refusal) = refuse_anonymous(&state, &auth) {
        return refusal;
    }
    if let Err(refusal) = rate_limit(&state, &req, &auth, 1) {
        return refusal;
    }
    let (format, table, selection) = match parse(req.query_string()) {
        Ok(p) => p,
        Err(refusal) => return refusal,
    };
    let limits = state.service.limits();
    let too_large = |what: String| {
        http_error(
            StatusCode::BAD_REQUEST,
            ErrorCode::ResponseTooLarge,
            &format!("{what}: export a part of it (around=…, or from=…&to=…, with types=… or asOf=…), or run `actorgraph export` where the server runs."),
        )
    };
    let cost = cost(&selection);
    if cost > limits.max_complexity {
        return http_error(
            StatusCode::BAD_REQUEST,
            ErrorCode::QueryTooComplex,
            &format!(
                "This export may read {cost} units of work, over the limit of {}: fewer actors in `around`, a smaller `depth` or `limit`, or fewer `maxHops`.",
                limits.max_complexity
            ),
        );
    }
    let repo = state.service.repository().clone();
    let deadline = Instant::now() + limits.timeout;
    let work = async {
        if selection.is_whole() {
            let stats = repo.stats().await?;
            let actors: usize = stats.actors_by_kind.iter().map(|(_, n)| n).sum();
            let relations: usize = stats.relations_by_type.iter().map(|(_, n)| n).sum();
            if actors + relations > MAX_RECORDS {
                return Ok(Err(format!(
                    "The whole graph has {actors} actors and {relations} relations, over the {MAX_RECORDS} records /export answers at once"
                )));
            }
        }
        let sub = crate::store::export::select(repo.as_ref(), &selection, 5_000).await?;
        Ok::<_, SelectError>(Ok(sub))
    };
    let found = tokio::time::timeout_at(deadline.into(), crate::deadline::scope(deadline, work))
        .await
        .unwrap_or(Err(SelectError::Store(StoreError::DeadlineExceeded)));
    let sub = match found {
        Ok(Ok(sub)) => sub,
        Ok(Err(refusal)) => return too_large(refusal),
        Err(SelectError::NotFound(argument, id)) => {
            return HttpResponse::NotFound().json(json!({"errors": [{
                "message": format!("no actor has the id `{id}`"),
                "extensions": {"code": ErrorCode::NotFound.as_str(), "argument": argument}
            }]}))
        }
        Err(SelectError::Store(StoreError::DeadlineExceeded)) => {
            return http_error(
                StatusCode::GATEWAY_TIMEOUT,
                ErrorCode::Timeout,
                crate::api::error::TIMED_OUT,
            )
        }
        Err(SelectError::Store(e)) => {
            tracing::error!(error = %e, "export: store call failed");
            return http_error(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::InternalServerError,
                "The server could not read its data. The error has been logged; try again later.",
            );
        }
    };
    let files = formats::render(format, &sub);
    let Some((_, body)) = files.into_iter().find(|(name, _)| *name == table) else {
        tracing::error!(table, "export: a format wrote no such file");
        return http_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::InternalServerError,
            "The export could not be written. The error has been logged.",
        );
    };
    if body.len() > limits.max_response_bytes {
        return too_large(format!(
            "This export is {} bytes, over the limit of {} bytes",
            body.len(),
            limits.max_response_bytes
        ));
    }
    let name = file_name(&selection, format, table);
    let disposition = if format == Format::BriefHtml {
        "inline"
    } else {
        "attachment"
    };
    HttpResponse::Ok()
        .content_type(format.media_type())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("{disposition}; filename=\"{name}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("X-Actorgraph-Truncated", sub.truncated.to_string()))
        .body(body)
}

/// Any other method on /export.
pub async fn method_not_allowed() -> HttpResponse {
    HttpResponse::MethodNotAllowed()
        .insert_header((header::ALLOW, "GET"))
        .json(json!({"errors": [{
            "message": "/export answers GET only, e.g. GET /export?format=graphml&around=cia.",
            "extensions": {"code": ErrorCode::MethodNotAllowed.as_str()}
        }]}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(r: &HttpResponse) -> StatusCode {
        r.status()
    }

    #[test]
    fn parameters_are_read_and_checked() {
        let (format, table, s) =
            parse("format=graphml&around=cia&around=kt&depth=2&asOf=2015&types=contract").unwrap();
        assert_eq!(format, Format::Graphml);
        assert_eq!(table, "");
        assert_eq!(s.around.len(), 2);
        assert_eq!(s.depth, 2);
        assert_eq!(s.filter.types.len(), 1);
        assert_eq!(parse("format=csv").unwrap().1, "edges.csv");
        assert_eq!(parse("format=CSV&table=nodes").unwrap().1, "nodes.csv");
        for bad in [
            "format=pdf",
            "format=json&table=nodes",
            "format=csv&table=people",
            "depth=9&around=cia",
            "from=cia",
            "around=Not%20An%20Id",
            "asOf=2015-13",
            "types=FRIENDSHIP",
            "directed=maybe",
            "format=json&format=ftm",
            "colour=red",
            "limit=-1",
        ] {
            let refusal = parse(bad).expect_err(bad);
            assert_eq!(code(&refusal), StatusCode::BAD_REQUEST, "{bad}");
        }
    }

    #[test]
    fn the_file_is_named_after_what_it_holds() {
        let (f, t, s) = parse("format=brief&from=cia&to=kt").unwrap();
        assert_eq!(file_name(&s, f, t), "actorgraph-cia-to-kt.md");
        let (f, t, s) = parse("format=csv&table=evidence&around=cia").unwrap();
        assert_eq!(file_name(&s, f, t), "actorgraph-cia-evidence.csv");
        let (f, t, s) = parse("").unwrap();
        assert_eq!(file_name(&s, f, t), "actorgraph-graph.json");
    }
}
