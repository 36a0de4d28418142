//! String enums that tolerate values a newer server adds. A generated enum declares its
//! variants, a catch-all holding any other value, and two tables in the same order: `VALUES`
//! (the wire values) and `KNOWN` (the variants); [`wire_enum!`](crate::wire_enum) implements the
//! rest here, once.

/// Implements `as_str`, `from_wire`, `Display`, `FromStr`, serde and
/// [`Validate`](crate::Validate) for a generated string enum with `VALUES` and `KNOWN` tables
/// and a catch-all variant (the second argument). Values round-trip exactly; a value not in
/// `VALUES` deserializes into the catch-all and fails validation.
#[macro_export]
macro_rules! wire_enum {
    ($name:ident, $unknown:ident) => {
        impl $name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    Self::$unknown(other) => other.as_str(),
                    known => Self::KNOWN
                        .iter()
                        .position(|k| k == known)
                        .and_then(|i| Self::VALUES.get(i))
                        .copied()
                        .unwrap_or_default(),
                }
            }

            /// The variant for a wire value; a value the document does not list is kept in the
            /// catch-all variant.
            pub fn from_wire(value: &str) -> Self {
                Self::VALUES
                    .iter()
                    .position(|v| *v == value)
                    .and_then(|i| Self::KNOWN.get(i))
                    .cloned()
                    .unwrap_or_else(|| Self::$unknown(::std::borrow::ToOwned::to_owned(value)))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(
                s: &str,
            ) -> ::std::result::Result<Self, <Self as ::std::str::FromStr>::Err> {
                ::std::result::Result::Ok(<$name>::from_wire(s))
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                $crate::de::str_with(deserializer, <$name>::from_wire)
            }
        }

        impl $crate::Validate for $name {
            fn validate_into(&self, v: &mut $crate::Validator) {
                let value = self.as_str();
                if !<$name>::VALUES.contains(&value) {
                    $crate::check::enum_value(v, value, <$name>::VALUES);
                }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::Validate;

    #[derive(Debug, Clone, PartialEq)]
    enum Colour {
        Red,
        Other(String),
    }

    impl Colour {
        const VALUES: &'static [&'static str] = &["RED"];
        const KNOWN: &'static [Colour] = &[Colour::Red];
    }

    crate::wire_enum!(Colour, Other);

    #[test]
    fn unknown_values_round_trip_and_fail_validation() {
        let c: Colour = serde_json::from_str("\"BLUE\"").unwrap();
        assert_eq!(c, Colour::Other("BLUE".into()));
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"BLUE\"");
        assert!(c.validate().is_err());
        assert!(Colour::Red.validate().is_ok());
        assert_eq!("RED".parse::<Colour>(), Ok(Colour::Red));
        assert_eq!(Colour::Red.to_string(), "RED");
    }
}
