//! What the generator tells the runtime about a document and each of its operations, as
//! `static` data in the generated crate.

use std::time::Duration;

/// The regulated frequency class of an endpoint, which sets its response-time limit.
///
/// The regulated 95th-percentile limits are 1,500 ms for high and medium-high frequency
/// endpoints, 2,000 ms for medium and 4,000 ms for low. The platform keeps up to 40% of that
/// for itself, so the integration layer's budget is the other 60%.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Frequency {
    /// High frequency: 1,500 ms.
    High,
    /// Medium-high frequency: 1,500 ms.
    MediumHigh,
    /// Medium frequency: 2,000 ms.
    Medium,
    /// Low frequency: 4,000 ms.
    Low,
    /// No class is recorded for the endpoint: it gets the strictest limit, 1,500 ms.
    Unclassified,
}

impl Frequency {
    /// The regulated 95th-percentile response-time limit.
    pub const fn limit(self) -> Duration {
        match self {
            Frequency::High | Frequency::MediumHigh | Frequency::Unclassified => {
                Duration::from_millis(1500)
            }
            Frequency::Medium => Duration::from_millis(2000),
            Frequency::Low => Duration::from_millis(4000),
        }
    }

    /// The share of [`Frequency::limit`] left to the integration layer: 60%.
    pub const fn budget(self) -> Duration {
        Duration::from_millis(self.limit().as_millis() as u64 * 6 / 10)
    }

    /// The class's name as the catalog writes it (`high`, `medium-high`, `medium`, `low`).
    pub const fn name(self) -> &'static str {
        match self {
            Frequency::High => "high",
            Frequency::MediumHigh => "medium-high",
            Frequency::Medium => "medium",
            Frequency::Low => "low",
            Frequency::Unclassified => "unclassified",
        }
    }
}

/// One operation of a document, as the runtime needs to serve it.
#[derive(Debug)]
pub struct Operation {
    /// The function name (`get_accounts`).
    pub name: &'static str,
    /// Upper-case HTTP method.
    pub method: &'static str,
    /// The path template as the document writes it.
    pub path: &'static str,
    /// Its frequency class, which sets the default deadline.
    pub frequency: Frequency,
    /// The media type essence of the request body, when the operation takes one.
    pub request_media: Option<&'static str>,
    /// Whether the request body is required.
    pub body_required: bool,
    /// The media type essences of the documented response bodies (empty: none has a body).
    pub response_media: &'static [&'static str],
    /// Whether the operation declares the `x-fapi-interaction-id` request header: then a
    /// missing or invalid one gets a minted id and a 400, as the regulated documents require.
    pub interaction_id: bool,
    /// Whether the operation documents a 422, used for requests that are well formed but break
    /// the schema's value rules.
    pub unprocessable: bool,
}

/// A whole document, as the runtime needs to answer requests no operation matches.
#[derive(Debug)]
pub struct Document {
    /// `info.title` and `info.version`.
    pub title: &'static str,
    /// Whether its operations use `x-fapi-interaction-id`: then unknown routes and wrong methods
    /// echo (or mint) one too.
    pub interaction_id: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_are_sixty_percent_of_the_regulated_limits() {
        let ms = |f: Frequency| f.budget().as_millis();
        assert_eq!(ms(Frequency::High), 900);
        assert_eq!(ms(Frequency::MediumHigh), 900);
        assert_eq!(ms(Frequency::Medium), 1200);
        assert_eq!(ms(Frequency::Low), 2400);
        assert_eq!(ms(Frequency::Unclassified), 900);
    }
}
