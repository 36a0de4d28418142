//! The regulated frequency classes of endpoints, which set response-time limits. Here rather
//! than in the server module because the generator reads them too, from the data beside the
//! catalog.

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

impl std::str::FromStr for Frequency {
    type Err = String;
    /// `high`, `medium-high`, `medium` or `low`, as the catalog writes them.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "high" => Frequency::High,
            "medium-high" => Frequency::MediumHigh,
            "medium" => Frequency::Medium,
            "low" => Frequency::Low,
            other => {
                return Err(format!(
                    "unknown frequency class `{other}`: expected high, medium-high, medium or low"
                ))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_read_as_the_catalog_writes_them() {
        for f in [
            Frequency::High,
            Frequency::MediumHigh,
            Frequency::Medium,
            Frequency::Low,
        ] {
            assert_eq!(f.name().parse::<Frequency>(), Ok(f));
        }
        assert!("unclassified".parse::<Frequency>().is_err());
    }

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
