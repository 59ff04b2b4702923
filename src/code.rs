//! The finding codes: a closed set, so a misspelt code does not compile.
//!
//! Codes are a contract (`../shared/spec/rules.md`): scripts, JSON consumers and users'
//! habits depend on them; a code never changes meaning and a retired one is never reused.
//! Each code's severity lives here, once; its title, doc and check live in its rule file
//! (`src/rules/`). Neither the model nor the readers depend on the rules.

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

/// Every finding code, in the order `jixiao rules` prints them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    E001,
    E002,
    E003,
    L001,
    L002,
    L003,
    L004,
    L005,
    L006,
    L007,
    L008,
    V001,
    V002,
    V003,
    F001,
    F002,
    F003,
    F004,
    F005,
    S001,
    S002,
    S003,
    S004,
    S005,
    S006,
    S007,
    S008,
    S009,
    S010,
    S011,
    S012,
    S013,
    C001,
    C002,
    C003,
    C004,
    C005,
}

impl Code {
    /// Every code, in catalogue order.
    pub const ALL: [Code; 37] = [
        Code::E001,
        Code::E002,
        Code::E003,
        Code::L001,
        Code::L002,
        Code::L003,
        Code::L004,
        Code::L005,
        Code::L006,
        Code::L007,
        Code::L008,
        Code::V001,
        Code::V002,
        Code::V003,
        Code::F001,
        Code::F002,
        Code::F003,
        Code::F004,
        Code::F005,
        Code::S001,
        Code::S002,
        Code::S003,
        Code::S004,
        Code::S005,
        Code::S006,
        Code::S007,
        Code::S008,
        Code::S009,
        Code::S010,
        Code::S011,
        Code::S012,
        Code::S013,
        Code::C001,
        Code::C002,
        Code::C003,
        Code::C004,
        Code::C005,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Code::E001 => "E001",
            Code::E002 => "E002",
            Code::E003 => "E003",
            Code::L001 => "L001",
            Code::L002 => "L002",
            Code::L003 => "L003",
            Code::L004 => "L004",
            Code::L005 => "L005",
            Code::L006 => "L006",
            Code::L007 => "L007",
            Code::L008 => "L008",
            Code::V001 => "V001",
            Code::V002 => "V002",
            Code::V003 => "V003",
            Code::F001 => "F001",
            Code::F002 => "F002",
            Code::F003 => "F003",
            Code::F004 => "F004",
            Code::F005 => "F005",
            Code::S001 => "S001",
            Code::S002 => "S002",
            Code::S003 => "S003",
            Code::S004 => "S004",
            Code::S005 => "S005",
            Code::S006 => "S006",
            Code::S007 => "S007",
            Code::S008 => "S008",
            Code::S009 => "S009",
            Code::S010 => "S010",
            Code::S011 => "S011",
            Code::S012 => "S012",
            Code::S013 => "S013",
            Code::C001 => "C001",
            Code::C002 => "C002",
            Code::C003 => "C003",
            Code::C004 => "C004",
            Code::C005 => "C005",
        }
    }

    /// The code's severity (a rule may raise one case higher, as C001 does for 项目名称).
    pub fn severity(self) -> Severity {
        match self {
            Code::E001 => Severity::Error,
            Code::E002 => Severity::Error,
            Code::E003 => Severity::Warning,
            Code::L001 => Severity::Error,
            Code::L002 => Severity::Warning,
            Code::L003 => Severity::Warning,
            Code::L004 => Severity::Warning,
            Code::L005 => Severity::Warning,
            Code::L006 => Severity::Info,
            Code::L007 => Severity::Warning,
            Code::L008 => Severity::Warning,
            Code::V001 => Severity::Info,
            Code::V002 => Severity::Error,
            Code::V003 => Severity::Info,
            Code::F001 => Severity::Error,
            Code::F002 => Severity::Warning,
            Code::F003 => Severity::Info,
            Code::F004 => Severity::Error,
            Code::F005 => Severity::Error,
            Code::S001 => Severity::Error,
            Code::S002 => Severity::Error,
            Code::S003 => Severity::Error,
            Code::S004 => Severity::Error,
            Code::S005 => Severity::Warning,
            Code::S006 => Severity::Warning,
            Code::S007 => Severity::Info,
            Code::S008 => Severity::Warning,
            Code::S009 => Severity::Warning,
            Code::S010 => Severity::Warning,
            Code::S011 => Severity::Error,
            Code::S012 => Severity::Error,
            Code::S013 => Severity::Error,
            Code::C001 => Severity::Warning,
            Code::C002 => Severity::Warning,
            Code::C003 => Severity::Warning,
            Code::C004 => Severity::Warning,
            Code::C005 => Severity::Warning,
        }
    }

    /// The code spelt `s` (any case).
    pub fn parse(s: &str) -> Option<Code> {
        Code::ALL
            .into_iter()
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
        for c in Code::ALL {
            assert_eq!(Code::parse(c.as_str()), Some(c));
            assert_eq!(Code::parse(&c.as_str().to_lowercase()), Some(c));
        }
        assert_eq!(Code::parse("X999"), None);
        assert_eq!(Code::S001.severity(), Severity::Error);
        assert_eq!(Code::C001.severity(), Severity::Warning);
    }
}
