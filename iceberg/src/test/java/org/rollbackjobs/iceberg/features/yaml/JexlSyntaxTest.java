package org.rollbackjobs.iceberg.features.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.jexl3.JexlEngine;
import org.apache.commons.jexl3.JexlException;
import org.junit.jupiter.api.Test;
import org.rollbackjobs.iceberg.features.yaml.Syntax.Binary;
import org.rollbackjobs.iceberg.features.yaml.Syntax.BinaryOp;
import org.rollbackjobs.iceberg.features.yaml.Syntax.Call;
import org.rollbackjobs.iceberg.features.yaml.Syntax.Elvis;
import org.rollbackjobs.iceberg.features.yaml.Syntax.Literal;
import org.rollbackjobs.iceberg.features.yaml.Syntax.Name;
import org.rollbackjobs.iceberg.features.yaml.Syntax.Ternary;
import org.rollbackjobs.iceberg.features.yaml.Syntax.Unary;
import org.rollbackjobs.iceberg.features.yaml.Syntax.UnaryOp;

/**
 * {@link JexlSyntax} reads JEXL's parse tree, which is not JEXL's public API: it is pinned to the JEXL it was
 * written for, translates every node kind it knows as expected, refuses the others by name, and is the only
 * main class that touches JEXL's parser or internals.
 */
class JexlSyntaxTest {
  private static final Name A = new Name("a");
  private static final Name B = new Name("b");

  @Test
  void jexlIsTheVersionTheTranslationWasWrittenFor() throws IOException {
    String version;
    try (InputStream in = JexlEngine.class.getResourceAsStream(
        "/META-INF/maven/org.apache.commons/commons-jexl3/pom.properties")) {
      assertThat(in).as("commons-jexl3's pom.properties on the class path").isNotNull();
      Properties properties = new Properties();
      properties.load(in);
      version = properties.getProperty("version");
    }
    assertThat(JexlSyntax.jexlVersion()).as("JEXL's manifest version").isEqualTo(version);
    if (!JexlSyntax.WRITTEN_FOR.equals(version)) {
      fail("JEXL upgraded from " + JexlSyntax.WRITTEN_FOR + " to " + version
          + ": re-check JexlSyntax against the new parser (node classes, their children, literal types), run"
          + " JexlSyntaxTest, ExpressionCompilerTest and DoubleFormulasTest, then set JexlSyntax.WRITTEN_FOR");
    }
  }

  @Test
  void namesAndLiterals() {
    assertThat(parse("a")).isEqualTo(A);
    assertThat(parse("(a)")).isEqualTo(A);
    assertThat(parse("((a))")).isEqualTo(A);
    assertThat(parse("1.5")).isEqualTo(new Literal(1.5));
    assertThat(parse("1")).isEqualTo(new Literal(1));
    assertThat(parse("10000000000")).isEqualTo(new Literal(10_000_000_000L));
    assertThat(parse("1.5B")).isEqualTo(new Literal(new BigDecimal("1.5")));
    assertThat(parse("'food'")).isEqualTo(new Literal("food"));
    assertThat(parse("\"food\"")).isEqualTo(new Literal("food"));
    assertThat(parse("null")).isEqualTo(new Literal(null));
    assertThat(parse("true")).isEqualTo(new Literal(Boolean.TRUE));
    assertThat(parse("false")).isEqualTo(new Literal(Boolean.FALSE));
  }

  @Test
  void operators() {
    assertThat(parse("-a")).isEqualTo(new Unary(UnaryOp.NEGATE, A));
    assertThat(parse("!a")).isEqualTo(new Unary(UnaryOp.NOT, A));
    String[][] binaries = {{"+", "ADD"}, {"-", "SUBTRACT"}, {"*", "MULTIPLY"}, {"/", "DIVIDE"}, {"%", "MOD"},
        {"==", "EQ"}, {"!=", "NE"}, {"<", "LT"}, {"<=", "LE"}, {">", "GT"}, {">=", "GE"}, {"&&", "AND"},
        {"||", "OR"}, {"??", "NULL_COALESCE"}};
    assertThat(binaries.length).as("one case per BinaryOp").isEqualTo(BinaryOp.values().length);
    for (String[] binary : binaries) {
      assertThat(parse("a " + binary[0] + " b")).as(binary[0])
          .isEqualTo(new Binary(BinaryOp.valueOf(binary[1]), A, B));
    }
    assertThat(parse("a and b")).isEqualTo(new Binary(BinaryOp.AND, A, B));
    assertThat(parse("a or b")).isEqualTo(new Binary(BinaryOp.OR, A, B));
    assertThat(parse("not a")).isEqualTo(new Unary(UnaryOp.NOT, A));
    assertThat(parse("a ? b : 1.0")).isEqualTo(new Ternary(A, B, new Literal(1.0)));
    assertThat(parse("a ?: b")).isEqualTo(new Elvis(A, B));
    assertThat(parse("math:min(a, 1.0)")).isEqualTo(new Call("math", "min", List.of(A, new Literal(1.0))));
    assertThat(parse("math:random()")).isEqualTo(new Call("math", "random", List.of()));
    assertThat(parse("other:f(a)")).isEqualTo(new Call("other", "f", List.of(A)));
  }

  @Test
  void precedenceAndAssociativityAreJexls() {
    assertThat(parse("1 + 2 * 3")).isEqualTo(new Binary(BinaryOp.ADD, new Literal(1),
        new Binary(BinaryOp.MULTIPLY, new Literal(2), new Literal(3))));
    assertThat(parse("a - b - 1")).isEqualTo(new Binary(BinaryOp.SUBTRACT,
        new Binary(BinaryOp.SUBTRACT, A, B), new Literal(1)));
    assertThat(parse("(a + b) * -b")).isEqualTo(new Binary(BinaryOp.MULTIPLY,
        new Binary(BinaryOp.ADD, A, B), new Unary(UnaryOp.NEGATE, B)));
    // ?? binds more loosely than || (as in JavaScript)
    assertThat(parse("!a || a < b && b ?? 1")).isEqualTo(new Binary(BinaryOp.NULL_COALESCE,
        new Binary(BinaryOp.OR, new Unary(UnaryOp.NOT, A), new Binary(BinaryOp.AND, new Binary(BinaryOp.LT, A, B),
            B)), new Literal(1)));
    assertThat(parse("a > 1.0 ? a : b ? 1 : 2")).isEqualTo(new Ternary(
        new Binary(BinaryOp.GT, A, new Literal(1.0)), A, new Ternary(B, new Literal(1), new Literal(2))));
  }

  @Test
  void otherConstructsAreRefusedByName() {
    assertRefused("size(a)", "ASTSizeFunction 'size (a)'");
    assertRefused("empty(a)", "ASTEmptyFunction 'empty (a)'");
    assertRefused("a =~ 'fo.*'", "ASTERNode 'a =~ 'fo.*''");
    assertRefused("a =^ 'x'", "ASTSWNode 'a =^ 'x''");
    assertRefused("a & b", "ASTBitwiseAndNode 'a & b'");
    assertRefused("a.length()", "ASTReference 'a.length()'");
    assertRefused("a.b", "ASTReference 'a.b'");
    assertRefused("a[0]", "ASTReference 'a[0]'");
    assertRefused("[a, b]", "ASTArrayLiteral '[ a, b ]'");
    assertRefused("{'x': a}", "ASTMapLiteral '{ 'x' : a }'");
    assertRefused("f(a)", "function call without a namespace 'f(a)'");
    assertRefused("math:min(a, b.c)", "ASTReference 'b.c'"); // anywhere in the tree
  }

  @Test
  void whatJexlCannotParseIsJexlsError() {
    assertThatThrownBy(() -> parse("a +")).isInstanceOf(JexlException.class);
    assertThatThrownBy(() -> parse("x = 1")).isInstanceOf(JexlException.class); // no side effects
    assertThatThrownBy(() -> parse("(x) -> x")).isInstanceOf(JexlException.class); // no lambdas
  }

  private static final Pattern JEXL_PARSER_OR_INTERNALS =
      Pattern.compile("org\\s*\\.\\s*apache\\s*\\.\\s*commons\\s*\\.\\s*jexl3\\s*\\.\\s*(parser|internal)\\b");

  @Test
  void onlyJexlSyntaxUsesJexlsParserOrInternals() throws IOException {
    Path sources = Path.of("src/main/java");
    if (!Files.isDirectory(sources)) { // run from the repository root rather than the module
      sources = Path.of("iceberg/src/main/java");
    }
    assertThat(sources).as("iceberg's main sources (working directory %s)", Path.of("").toAbsolutePath())
        .isDirectory();
    Path allowed = sources.resolve("org/rollbackjobs/iceberg/features/yaml/JexlSyntax.java");
    assertThat(allowed).isRegularFile();
    List<String> offenders = new ArrayList<>();
    try (Stream<Path> files = Files.walk(sources)) {
      for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java"))::iterator) {
        if (!file.equals(allowed)
            && JEXL_PARSER_OR_INTERNALS.matcher(Files.readString(file, StandardCharsets.UTF_8)).find()) {
          offenders.add(file.toString());
        }
      }
    }
    assertThat(offenders).as("main classes other than JexlSyntax that use org.apache.commons.jexl3.parser or"
        + " .internal (not JEXL's public API: go through JexlSyntax and Syntax)").isEmpty();
    assertThat(JEXL_PARSER_OR_INTERNALS.matcher(Files.readString(allowed, StandardCharsets.UTF_8)).find())
        .as("the scan sees JexlSyntax's own imports").isTrue();
  }

  private static void assertRefused(String source, String named) {
    assertThatThrownBy(() -> parse(source)).as(source).isInstanceOf(JexlSyntax.UnsupportedSyntax.class)
        .hasMessage("not in the compiled subset: " + named);
  }

  private static Syntax parse(String source) {
    return JexlSyntax.parse(source, Expressions.FEATURES);
  }
}
