//! Elements of the page and the commands that act on them.

use serde_json::{Value, json};

use super::{Connection, WebDriverError, expect_string};

/// The key under which W3C drivers put an element reference.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A reference to one element of the page, valid until the page replaces it (after which commands
/// fail with `stale element reference`; find it again).
#[derive(Debug, Clone)]
pub struct Element {
    connection: Connection,
    id: String,
}

impl Element {
    /// The driver's id of this element.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The reference in W3C form, to pass the element to [`super::Session::execute`].
    pub fn to_json(&self) -> Value {
        json!({ ELEMENT_KEY: self.id })
    }

    /// The first descendant matching a CSS selector.
    pub async fn find(&self, css: &str) -> Result<Element, WebDriverError> {
        find_one(&self.connection, &self.path(""), css).await
    }

    /// Every descendant matching a CSS selector.
    pub async fn find_all(&self, css: &str) -> Result<Vec<Element>, WebDriverError> {
        find_many(&self.connection, &self.path(""), css).await
    }

    /// Scrolls the element into view and clicks its centre.
    pub async fn click(&self) -> Result<(), WebDriverError> {
        self.connection.post("click", &self.path("/click"), json!({})).await.map(drop)
    }

    /// Types `text` into the element (W3C "Element Send Keys").
    pub async fn send_keys(&self, text: &str) -> Result<(), WebDriverError> {
        self.connection.post("send keys", &self.path("/value"), json!({ "text": text })).await.map(drop)
    }

    /// Empties an editable element.
    pub async fn clear(&self) -> Result<(), WebDriverError> {
        self.connection.post("clear", &self.path("/clear"), json!({})).await.map(drop)
    }

    /// The rendered text, as a user sees it (hidden elements give an empty string).
    pub async fn text(&self) -> Result<String, WebDriverError> {
        let value = self.connection.get("get text", &self.path("/text")).await?;
        expect_string("get text", value)
    }

    /// The element's `textContent`: all its text, whether or not the layout shows it.
    pub async fn text_content(&self) -> Result<String, WebDriverError> {
        Ok(self.property("textContent").await?.as_str().unwrap_or_default().to_owned())
    }

    /// An HTML attribute as written in the markup, or `None` when absent.
    ///
    /// For the current value of an input use [`Element::property`] with `"value"`.
    pub async fn attribute(&self, name: &str) -> Result<Option<String>, WebDriverError> {
        let command = format!("get attribute {name:?}");
        match self.connection.get(&command, &self.path(&format!("/attribute/{name}"))).await? {
            Value::Null => Ok(None),
            value => expect_string(&command, value).map(Some),
        }
    }

    /// A DOM property (e.g. `value`, `checked`) as JSON.
    pub async fn property(&self, name: &str) -> Result<Value, WebDriverError> {
        let command = format!("get property {name:?}");
        self.connection.get(&command, &self.path(&format!("/property/{name}"))).await
    }

    /// Whether the element is visible to a user.
    pub async fn is_displayed(&self) -> Result<bool, WebDriverError> {
        match self.connection.get("is displayed", &self.path("/displayed")).await? {
            Value::Bool(shown) => Ok(shown),
            other => Err(WebDriverError::Protocol {
                command: "is displayed".to_owned(),
                detail: format!("expected a boolean, got {other}"),
            }),
        }
    }

    fn path(&self, suffix: &str) -> String {
        format!("/element/{}{suffix}", self.id)
    }
}

/// Finds the first match of `css` under `scope` (`""` for the document, or an element's path).
pub(super) async fn find_one(
    connection: &Connection,
    scope: &str,
    css: &str,
) -> Result<Element, WebDriverError> {
    let command = format!("find `{css}`");
    let value = connection.post(&command, &format!("{scope}/element"), locator(css)).await?;
    element_from(connection, &command, &value)
}

/// Finds every match of `css` under `scope`.
pub(super) async fn find_many(
    connection: &Connection,
    scope: &str,
    css: &str,
) -> Result<Vec<Element>, WebDriverError> {
    let command = format!("find all `{css}`");
    let value = connection.post(&command, &format!("{scope}/elements"), locator(css)).await?;
    let Value::Array(items) = value else {
        return Err(WebDriverError::Protocol { command, detail: format!("expected an array, got {value}") });
    };
    items.iter().map(|item| element_from(connection, &command, item)).collect()
}

fn locator(css: &str) -> Value {
    json!({ "using": "css selector", "value": css })
}

fn element_from(connection: &Connection, command: &str, value: &Value) -> Result<Element, WebDriverError> {
    let id = value.get(ELEMENT_KEY).and_then(Value::as_str).ok_or_else(|| WebDriverError::Protocol {
        command: command.to_owned(),
        detail: format!("no element reference in {value}"),
    })?;
    Ok(Element { connection: connection.clone(), id: id.to_owned() })
}
