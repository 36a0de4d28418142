//! Where the walk is: the side of the data, the place for a reader (`GET /x response 200
//! body data[].name`) and the pointer of the item in each document.

use super::Side;
use crate::diag::Ptr;

/// Where the walk is: the side, the place for a reader, and the pointer in each document.
#[derive(Debug, Clone)]
pub(super) struct At {
    /// Request or response.
    pub side: Side,
    /// The operation and part: `GET /x response 200 body`.
    pub place: String,
    /// The member path inside the part: `data[].name`.
    pub path: String,
    /// Pointer in the old document, where the item is there.
    pub old: Option<Ptr>,
    /// Pointer in the new document.
    pub new: Option<Ptr>,
}

impl At {
    pub fn new(side: Side, place: String, old: Option<Ptr>, new: Option<Ptr>) -> At {
        At {
            side,
            place,
            path: String::new(),
            old,
            new,
        }
    }

    /// The location text of reports.
    pub fn location(&self) -> String {
        if self.path.is_empty() {
            self.place.clone()
        } else {
            format!("{} {}", self.place, self.path)
        }
    }

    /// A named member (an object property).
    pub fn member(&self, name: &str, old: Option<Ptr>, new: Option<Ptr>) -> At {
        let path = if self.path.is_empty() {
            name.to_owned()
        } else {
            format!("{}.{name}", self.path)
        };
        At {
            path,
            old,
            new,
            ..self.clone()
        }
    }

    /// An unnamed part (`[]` for array items, `{}` for map values, `(oneOf 1)`).
    pub fn nested(&self, suffix: &str, old: Option<Ptr>, new: Option<Ptr>) -> At {
        At {
            path: format!("{}{suffix}", self.path),
            old,
            new,
            ..self.clone()
        }
    }

    /// The same place at other pointers.
    pub fn at(&self, old: Option<Ptr>, new: Option<Ptr>) -> At {
        At {
            old,
            new,
            ..self.clone()
        }
    }

    /// Both pointers extended by `segments`.
    pub fn join(&self, segments: &[&str]) -> (Option<Ptr>, Option<Ptr>) {
        let ext = |p: &Option<Ptr>| {
            p.as_ref()
                .map(|p| segments.iter().fold(p.clone(), |p, s| p.join(s)))
        };
        (ext(&self.old), ext(&self.new))
    }
}
