#include "duckstore/services/workspaces/session_cursors.hpp"

#include <cctype>
#include <charconv>

#include "duckdb/common/string_util.hpp"
#include "duckstore/common/error.hpp"

namespace duckstore {
namespace {

using duckdb::StringUtil;

[[noreturn]] void Malformed(const std::string& why) {
  throw InvalidArgument("syntax_error", "syntax error in cursor statement: " + why);
}

[[noreturn]] void Unsupported(const std::string& what) {
  throw Error(ErrorKind::kUnimplemented, "feature_not_supported", what + " is not supported by this server");
}

// Words, double-quoted names and integers of a cursor statement, left to right.
class Tokens {
 public:
  explicit Tokens(const std::string& sql) : sql_(sql) {}

  struct Token {
    std::string text;  // keywords and unquoted names lower-cased; quoted names as written
    bool quoted = false;
    bool number = false;
  };

  // The next token, or nullopt at the end (a trailing ';' ends the statement).
  std::optional<Token> Next() {
    while (pos_ < sql_.size() && std::isspace(static_cast<unsigned char>(sql_[pos_]))) ++pos_;
    if (pos_ >= sql_.size() || sql_[pos_] == ';') return std::nullopt;
    char c = sql_[pos_];
    if (c == '"') {
      Token token{"", true, false};
      for (++pos_;; ++pos_) {
        if (pos_ >= sql_.size()) Malformed("unterminated quoted name");
        if (sql_[pos_] == '"') {
          if (pos_ + 1 < sql_.size() && sql_[pos_ + 1] == '"') {
            token.text += '"';
            ++pos_;
            continue;
          }
          ++pos_;
          break;
        }
        token.text += sql_[pos_];
      }
      if (token.text.empty()) Malformed("empty quoted name");
      return token;
    }
    size_t start = pos_;
    if (c == '+' || c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
      ++pos_;
      while (pos_ < sql_.size() && std::isdigit(static_cast<unsigned char>(sql_[pos_]))) ++pos_;
      return Token{sql_.substr(start, pos_ - start), false, true};
    }
    if (!std::isalpha(static_cast<unsigned char>(c)) && c != '_')
      Malformed("unexpected '" + std::string(1, c) + "'");
    while (pos_ < sql_.size() &&
           (std::isalnum(static_cast<unsigned char>(sql_[pos_])) || sql_[pos_] == '_' || sql_[pos_] == '$'))
      ++pos_;
    return Token{StringUtil::Lower(sql_.substr(start, pos_ - start)), false, false};
  }

  Token Required(const char* what) {
    auto token = Next();
    if (!token) Malformed(std::string("missing ") + what);
    return *token;
  }

  void End() {
    if (Next()) Malformed("unexpected text after the statement");
  }

  // What follows the current position (DECLARE's query).
  std::string Rest() const { return sql_.substr(pos_); }

 private:
  const std::string& sql_;
  size_t pos_ = 0;
};

bool Is(const Tokens::Token& token, const char* keyword) {
  return !token.quoted && !token.number && token.text == keyword;
}

std::string NameOf(const Tokens::Token& token) {
  if (token.number) Malformed("a cursor name is expected, not '" + token.text + "'");
  return token.text;
}

int64_t CountOf(const Tokens::Token& token) {
  int64_t count = 0;
  const char* begin = token.text.data() + (token.text[0] == '+' ? 1 : 0);
  auto [end, error] = std::from_chars(begin, token.text.data() + token.text.size(), count);
  if (error != std::errc() || end != token.text.data() + token.text.size())
    Malformed("bad count " + token.text);
  if (count < 0) Unsupported("a negative count (cursors only move forward)");
  return count;
}

CursorCommand ParseDeclare(Tokens& tokens) {
  CursorCommand command;
  command.kind = CursorCommand::kDeclare;
  command.name = NameOf(tokens.Required("cursor name"));
  for (auto token = tokens.Required("CURSOR");; token = tokens.Required("CURSOR")) {
    if (Is(token, "cursor")) break;
    if (Is(token, "binary")) {
      Unsupported("DECLARE ... BINARY (ask for binary results when fetching instead)");
    } else if (Is(token, "no")) {
      if (!Is(tokens.Required("SCROLL"), "scroll")) Malformed("NO must be followed by SCROLL");
    } else if (Is(token, "scroll")) {
      Unsupported("SCROLL (cursors only move forward)");
    } else if (!Is(token, "insensitive") && !Is(token, "asensitive")) {
      Malformed("unexpected '" + token.text + "' before CURSOR");
    }
  }
  auto token = tokens.Required("FOR");
  if (Is(token, "with") || Is(token, "without")) {
    command.hold = Is(token, "with");
    if (!Is(tokens.Required("HOLD"), "hold")) Malformed("WITH/WITHOUT must be followed by HOLD");
    token = tokens.Required("FOR");
  }
  if (!Is(token, "for")) Malformed("FOR is expected, not '" + token.text + "'");
  command.query = tokens.Rest();
  if (command.query.find_first_not_of(" \t\r\n;") == std::string::npos) Malformed("missing query");
  return command;
}

CursorCommand ParseFetch(Tokens& tokens, CursorCommand::Kind kind) {
  CursorCommand command;
  command.kind = kind;
  command.count = 1;
  auto token = tokens.Required("cursor name");
  auto count = [&](const Tokens::Token& t) {
    if (t.number) {
      command.count = CountOf(t);
    } else if (Is(t, "all")) {
      command.count = std::nullopt;
    } else {
      return false;
    }
    return true;
  };
  if (Is(token, "forward")) {
    token = tokens.Required("cursor name");
    if (count(token)) token = tokens.Required("cursor name");
  } else if (Is(token, "next") || count(token)) {  // NEXT is a count of 1, the default
    token = tokens.Required("cursor name");
  } else if (Is(token, "prior") || Is(token, "first") || Is(token, "last") || Is(token, "absolute") ||
             Is(token, "relative") || Is(token, "backward")) {
    Unsupported(StringUtil::Upper(token.text) + " (cursors only move forward)");
  }
  if (Is(token, "from") || Is(token, "in")) token = tokens.Required("cursor name");
  command.name = NameOf(token);
  tokens.End();
  return command;
}

}  // namespace

std::optional<CursorCommand> ParseCursorCommand(const std::string& sql) {
  Tokens tokens(sql);
  std::optional<Tokens::Token> first;
  try {
    first = tokens.Next();
  } catch (const Error&) {
    return std::nullopt;  // not a word first: not a cursor statement
  }
  if (!first || first->quoted || first->number) return std::nullopt;
  if (first->text == "declare") return ParseDeclare(tokens);
  if (first->text == "fetch") return ParseFetch(tokens, CursorCommand::kFetch);
  if (first->text == "move") return ParseFetch(tokens, CursorCommand::kMove);
  if (first->text == "close") {
    CursorCommand command;
    command.kind = CursorCommand::kClose;
    auto token = tokens.Required("cursor name");
    if (!Is(token, "all")) command.name = NameOf(token);
    tokens.End();
    return command;
  }
  return std::nullopt;
}

}  // namespace duckstore
