//! The finding codes: a closed set, so a misspelt code does not compile.
//!
//! Codes are a contract (`../shared/spec/rules.md`): scripts, JSON consumers and users'
//! habits depend on them; a code never changes meaning and a retired one is never reused.
//! Each code's severity lives here, once; its title, doc, check and the constructors that
//! build its findings with their message live in its rule file (`src/rules/`). Neither the
//! model nor the readers depend on the rules.

use serde::Serialize;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// As the Chinese outputs print it.
    pub fn zh(self) -> &'static str {
        match self {
            Severity::Info => "提示",
            Severity::Warning => "警告",
            Severity::Error => "错误",
        }
    }
}

/// Declares every code with its severity, once: the enum, [`Code::ALL`], the spelling and
/// the severity all come from this one list (a new code is one line here, plus its rule
/// file and its line in the catalogue).
macro_rules! codes {
    ($($code:ident $sev:ident,)*) => {
        /// Every finding code, in the order `jixiao rules` prints them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($code,)*
        }

        impl Code {
            /// Every code, in catalogue order.
            pub const ALL: &'static [Code] = &[$(Code::$code,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$code => stringify!($code),)*
                }
            }

            /// The code's severity (a rule may raise one case higher, as C001 does for 项目名称).
            pub fn severity(self) -> Severity {
                match self {
                    $(Code::$code => Severity::$sev,)*
                }
            }
        }
    };
}

codes! {
    E001 Error,
    E002 Error,
    E003 Warning,
    E004 Warning,
    E005 Warning,
    L001 Error,
    L002 Warning,
    L003 Warning,
    L004 Warning,
    L005 Warning,
    L006 Info,
    L007 Warning,
    L008 Warning,
    L009 Warning,
    L010 Info,
    L011 Warning,
    L012 Info,
    V001 Info,
    V002 Error,
    V003 Info,
    F001 Error,
    F002 Warning,
    F003 Info,
    F004 Error,
    F005 Error,
    F006 Info,
    F007 Info,
    F008 Warning,
    S001 Error,
    S002 Error,
    S003 Error,
    S004 Error,
    S005 Warning,
    S006 Warning,
    S007 Info,
    S008 Warning,
    S009 Warning,
    S010 Warning,
    S011 Error,
    S012 Error,
    S013 Error,
    S014 Error,
    S015 Warning,
    S016 Info,
    C001 Warning,
    C002 Warning,
    C003 Warning,
    C004 Warning,
    C005 Warning,
    C006 Warning,
    C007 Info,
    C008 Warning,
    C009 Warning,
    C010 Info,
    C011 Warning,
    C012 Info,
    C013 Info,
    C014 Info,
}

impl Code {
    /// The code spelt `s` (any case).
    pub fn parse(s: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(s))
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<Code> for &str {
    fn eq(&self, other: &Code) -> bool {
        *self == other.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_spell_and_parse_back() {
        for &c in Code::ALL {
            assert_eq!(Code::parse(c.as_str()), Some(c));
            assert_eq!(Code::parse(&c.as_str().to_lowercase()), Some(c));
        }
        assert_eq!(Code::parse("X999"), None);
        assert_eq!(Code::S001.severity(), Severity::Error);
        assert_eq!(Code::C001.severity(), Severity::Warning);
    }
}
