//! A `where` condition ([`Condition`]) as the Neo4j store's Cypher reads it: the
//! steps of [`Condition::postfix`] as a list of maps (relation_where.cypher says
//! what each holds). Values compared without case are lowered here, as the
//! embedded store compares them.

use serde_json::{json, Value};

use crate::domain::filter::{Condition, DateField, Step, Test};

fn field(f: DateField) -> &'static str {
    match f {
        DateField::Start => "start",
        DateField::End => "end",
    }
}

fn test(t: &Test) -> Value {
    let strings = |values: &mut dyn Iterator<Item = &str>| -> Vec<String> {
        values.map(str::to_string).collect()
    };
    let lowered =
        |values: &[String]| -> Vec<String> { values.iter().map(|v| v.to_lowercase()).collect() };
    match t {
        Test::Type(types) => {
            json!({"op": "type", "values": strings(&mut types.iter().map(|t| t.as_str()))})
        }
        Test::From(ids) => {
            json!({"op": "from", "values": strings(&mut ids.iter().map(|i| i.as_str()))})
        }
        Test::To(ids) => {
            json!({"op": "to", "values": strings(&mut ids.iter().map(|i| i.as_str()))})
        }
        Test::Currency(currency) => json!({"op": "currency", "text": currency}),
        Test::Amount {
            currency,
            compare,
            bound,
        } => {
            json!({"op": "amount", "text": currency, "compare": compare.name(), "number": bound.get()})
        }
        Test::Date {
            field: f,
            compare,
            bound,
        } => {
            json!({"op": "date", "field": field(*f), "compare": compare.name(), "text": bound.to_string()})
        }
        Test::DateInferred { field: f, inferred } => {
            json!({"op": "inferred", "field": field(*f), "flag": inferred})
        }
        Test::DateExists(f) => json!({"op": "exists", "field": field(*f)}),
        Test::Status(values) => json!({"op": "status", "values": lowered(values)}),
        Test::Role(values) => json!({"op": "role", "values": lowered(values)}),
        Test::Source(ids) => {
            json!({"op": "source", "values": strings(&mut ids.iter().map(|i| i.as_str()))})
        }
        Test::SummaryContains(text) => json!({"op": "summary", "text": text.to_lowercase()}),
        Test::QuoteContains(text) => json!({"op": "quote", "text": text.to_lowercase()}),
    }
}

/// The `$where` parameter of a relation query: empty keeps every relation.
pub fn program(condition: Option<&Condition>) -> Value {
    let Some(c) = condition else {
        return json!([]);
    };
    Value::Array(
        c.postfix()
            .into_iter()
            .map(|step| match step {
                Step::Test(t) => test(t),
                Step::All(n) => json!({"op": "all", "n": n}),
                Step::Any(n) => json!({"op": "any", "n": n}),
                Step::Not => json!({"op": "not"}),
            })
            .collect(),
    )
}

/// relation_where.cypher: the ids of the relations that pass `$where`, in id
/// order (the tests compare it with the embedded store's reading).
pub const RELATION_WHERE: &str = include_str!("relation_where.cypher");

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::filter::Compare;
    use crate::domain::RelationType;

    #[test]
    fn a_condition_becomes_its_steps_in_postfix_order() {
        let c = Condition::Any(vec![
            Condition::Test(Test::Type(vec![RelationType::Lobbying])),
            Condition::Not(Box::new(Condition::Test(Test::Date {
                field: DateField::Start,
                compare: Compare::Gt,
                bound: "2014".parse().unwrap(),
            }))),
            Condition::Test(Test::Status(vec!["Pending".into()])),
        ]);
        assert_eq!(
            program(Some(&c)),
            json!([
                {"op": "type", "values": ["LOBBYING"]},
                {"op": "date", "field": "start", "compare": "gt", "text": "2014"},
                {"op": "not"},
                {"op": "status", "values": ["pending"]},
                {"op": "any", "n": 3},
            ])
        );
        assert_eq!(program(None), json!([]));
    }
}
