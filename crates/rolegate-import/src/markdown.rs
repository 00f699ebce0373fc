//! markdown
use crate::{Import, ImportError};
pub(crate) fn import(text: &str, origin: &str) -> Result<Import, ImportError> {
    let _ = text;
    Err(ImportError::at(
        origin,
        (1, 1),
        "markdown import is not implemented yet",
    ))
}
