//! Enum values written as strings are refused in query text.
//!
//! async-graphql coerces `kinds: ["COMPANY"]` to the enum value `COMPANY`: the
//! validation rule it shares between literals and JSON variables (where enums can
//! only be strings) accepts both. The GraphQL spec does not: in a document, an
//! enum value is a name, and a string there is a type error that clients (and
//! their code generators) should hear about rather than rely on. This check knows,
//! from the schema's own SDL, which arguments and input fields take an enum, and
//! walks the literal values of a document that passed the limits (so its depth is
//! bounded). Variables are left alone: there, the string is the enum's form.

use std::collections::{HashMap, HashSet};

use async_graphql::parser::types::{
    BaseType, ExecutableDocument, OperationType, Selection, SelectionSet, Type, TypeKind,
    TypeSystemDefinition,
};
use async_graphql::{Pos, Positioned, ServerError};
use async_graphql_value::Value;

use super::error::ErrorCode;

/// What the check needs of the schema: which named types are enums, and the
/// named type of every field, argument and input field.
#[derive(Debug, Default)]
pub struct EnumArguments {
    enums: HashSet<String>,
    /// (type, field) → (the field's named type, argument → named type).
    fields: HashMap<(String, String), (String, HashMap<String, String>)>,
    /// input type → field → named type.
    inputs: HashMap<String, HashMap<String, String>>,
}

fn named(ty: &Type) -> String {
    match &ty.base {
        BaseType::Named(n) => n.to_string(),
        BaseType::List(inner) => named(inner),
    }
}

impl EnumArguments {
    /// Reads the schema's SDL; an SDL that does not parse (it always does: the
    /// schema printed it) leaves the check with nothing to check.
    pub fn from_sdl(sdl: &str) -> Self {
        let mut out = EnumArguments::default();
        let Ok(doc) = async_graphql::parser::parse_schema(sdl) else {
            tracing::error!("the schema's own SDL does not parse; enum literals go unchecked");
            return out;
        };
        for def in doc.definitions {
            let TypeSystemDefinition::Type(t) = def else {
                continue;
            };
            let name = t.node.name.node.to_string();
            let fields = match t.node.kind {
                TypeKind::Enum(_) => {
                    out.enums.insert(name);
                    continue;
                }
                TypeKind::InputObject(input) => {
                    let map = input
                        .fields
                        .iter()
                        .map(|f| (f.node.name.node.to_string(), named(&f.node.ty.node)))
                        .collect();
                    out.inputs.insert(name, map);
                    continue;
                }
                TypeKind::Object(o) => o.fields,
                TypeKind::Interface(i) => i.fields,
                _ => continue,
            };
            for f in fields {
                let args = f
                    .node
                    .arguments
                    .iter()
                    .map(|a| (a.node.name.node.to_string(), named(&a.node.ty.node)))
                    .collect();
                out.fields.insert(
                    (name.clone(), f.node.name.node.to_string()),
                    (named(&f.node.ty.node), args),
                );
            }
        }
        out
    }

    /// Refuses the first enum value written as a string in `doc`.
    pub fn check(&self, doc: &ExecutableDocument) -> Result<(), ServerError> {
        for (_, op) in doc.operations.iter() {
            let root = match op.node.ty {
                OperationType::Query => "Query",
                OperationType::Mutation => "Mutation",
                OperationType::Subscription => "Subscription",
            };
            self.selection(root, &op.node.selection_set.node)?;
        }
        for fragment in doc.fragments.values() {
            let on = fragment.node.type_condition.node.on.node.as_str();
            self.selection(on, &fragment.node.selection_set.node)?;
        }
        Ok(())
    }

    fn selection(&self, ty: &str, set: &SelectionSet) -> Result<(), ServerError> {
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => {
                    let key = (ty.to_string(), f.node.name.node.to_string());
                    let Some((returns, args)) = self.fields.get(&key) else {
                        // Unknown fields are the validator's to report.
                        continue;
                    };
                    for (name, value) in &f.node.arguments {
                        if let Some(arg_ty) = args.get(name.node.as_str()) {
                            self.value(name.node.as_str(), arg_ty, value)?;
                        }
                    }
                    self.selection(returns, &f.node.selection_set.node)?;
                }
                Selection::InlineFragment(f) => {
                    let on = f
                        .node
                        .type_condition
                        .as_ref()
                        .map_or(ty, |c| c.node.on.node.as_str());
                    self.selection(on, &f.node.selection_set.node)?;
                }
                Selection::FragmentSpread(_) => {}
            }
        }
        Ok(())
    }

    fn value(&self, name: &str, ty: &str, value: &Positioned<Value>) -> Result<(), ServerError> {
        self.literal(name, ty, &value.node, value.pos)
    }

    fn literal(&self, name: &str, ty: &str, value: &Value, pos: Pos) -> Result<(), ServerError> {
        match value {
            Value::String(s) if self.enums.contains(ty) => Err(refusal(name, ty, s, pos)),
            Value::List(items) => items
                .iter()
                .try_for_each(|item| self.literal(name, ty, item, pos)),
            Value::Object(fields) => {
                let Some(input) = self.inputs.get(ty) else {
                    return Ok(());
                };
                fields
                    .iter()
                    .try_for_each(|(field, v)| match input.get(field.as_str()) {
                        Some(field_ty) => self.literal(field.as_str(), field_ty, v, pos),
                        None => Ok(()),
                    })
            }
            _ => Ok(()),
        }
    }
}

fn refusal(name: &str, ty: &str, value: &str, pos: Pos) -> ServerError {
    let shown = super::codes::excerpt(value, 40);
    let mut e = ServerError::new(
        format!(
            "`{name}` takes values of the enum {ty}: write {shown} without quotes (a string stands for an enum value only in variables)."
        ),
        Some(pos),
    );
    e.extensions
        .get_or_insert_with(Default::default)
        .set("code", ErrorCode::GraphqlValidationFailed.as_str());
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(q: &str) -> Result<(), ServerError> {
        let strict = EnumArguments::from_sdl(&super::super::sdl());
        strict.check(&async_graphql::parser::parse_query(q).unwrap())
    }

    #[test]
    fn enum_values_in_quotes_are_refused_wherever_they_are_written() {
        assert!(check("{ actors(kinds: [\"COMPANY\"]) { totalCount } }").is_err());
        assert!(
            check("{ actor(id: \"cia\") { relations(direction: \"OUT\") { totalCount } } }")
                .is_err()
        );
        assert!(check(
            "{ ...F } fragment F on Query { relations(types: \"CONTRACT\") { totalCount } }"
        )
        .is_err());
    }

    #[test]
    fn enum_names_strings_elsewhere_and_variables_pass() {
        assert!(check("{ actors(kinds: [COMPANY], search: \"COMPANY\") { totalCount } }").is_ok());
        assert!(check("query($k: [ActorKind!]) { actors(kinds: $k) { totalCount } }").is_ok());
        assert!(check("{ actor(id: \"cia\") { name(language: KO) } }").is_ok());
    }
}
