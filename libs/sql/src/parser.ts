import { SqlSyntaxError, type SqlPosition } from './diagnostics';
import { tokenize, type Token } from './tokenizer';

/** One column of a SELECT's output. */
export interface OutputColumn {
  /**
   * The column's name: the alias, the referenced column's name, or — for an unnamed expression —
   * the name Flink gives it (`EXPR$<index>`). `null` for `*` and `t.*`, whose columns are unknown here.
   */
  name: string | null;
  kind: 'alias' | 'column' | 'expression' | 'star';
  position: SqlPosition;
}

/** A table the query reads: a named table or a `{{ name }}` placeholder. */
export interface TableReference {
  kind: 'table' | 'placeholder';
  /** the name as written (identifier parts joined by `.`), or the placeholder's name */
  name: string;
  position: SqlPosition;
}

/** What a parsed SELECT statement tells its callers. */
export interface SelectStatement {
  /** the output columns of the statement, in order (of its first branch, for UNION and friends) */
  columns: OutputColumn[];
  /** every table reference and placeholder in the statement, in order of appearance */
  tables: TableReference[];
  /** names defined by WITH clauses anywhere in the statement */
  cteNames: string[];
}

/** Words that start a statement other than a query: named in the error when a transform uses one. */
const NON_QUERY_STATEMENTS: Record<string, string> = {
  INSERT: 'DML',
  UPDATE: 'DML',
  DELETE: 'DML',
  MERGE: 'DML',
  UPSERT: 'DML',
  EXECUTE: 'a statement set',
  BEGIN: 'a statement set',
  CREATE: 'DDL',
  DROP: 'DDL',
  ALTER: 'DDL',
  TRUNCATE: 'DDL',
  ANALYZE: 'DDL',
  SET: 'a configuration statement',
  RESET: 'a configuration statement',
  USE: 'a catalog statement',
  SHOW: 'a catalog statement',
  DESCRIBE: 'a catalog statement',
  DESC: 'a catalog statement',
  EXPLAIN: 'an EXPLAIN statement',
  LOAD: 'a module statement',
  UNLOAD: 'a module statement',
  ADD: 'a resource statement',
  REMOVE: 'a resource statement',
  CALL: 'a procedure call',
  GRANT: 'DCL',
  REVOKE: 'DCL',
};

/** Words that end an expression: never read as an identifier or an alias without back-quotes. */
const CLAUSE_WORDS = new Set([
  'SELECT', 'FROM', 'WHERE', 'GROUP', 'BY', 'HAVING', 'ORDER', 'LIMIT', 'OFFSET', 'FETCH', 'UNION', 'INTERSECT', 'EXCEPT', 'MINUS',
  'JOIN', 'INNER', 'LEFT', 'RIGHT', 'FULL', 'CROSS', 'OUTER', 'NATURAL', 'ON', 'USING', 'WINDOW', 'QUALIFY', 'AS', 'AND', 'OR', 'NOT',
  'IS', 'IN', 'LIKE', 'SIMILAR', 'BETWEEN', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'WITH', 'FOR', 'ESCAPE', 'OVER', 'FILTER',
  'PRECEDING', 'FOLLOWING', 'DISTINCT', 'ALL', 'INTO', 'VALUES', 'MATCH_RECOGNIZE', 'TABLESAMPLE',
]);

/** Keywords that may stand between the arguments of special functions (JSON_VALUE … RETURNING INT, TRIM(BOTH …), …). */
const ARGUMENT_WORDS = new Set([
  'RETURNING', 'FROM', 'FOR', 'IN', 'ON', 'DEFAULT', 'ERROR', 'EMPTY', 'NULL', 'WITH', 'WITHOUT', 'WRAPPER', 'ARRAY', 'CONDITIONAL',
  'UNCONDITIONAL', 'ABSENT', 'PLACING', 'BOTH', 'LEADING', 'TRAILING', 'PASSING', 'FORMAT', 'JSON', 'STRICT', 'LAX', 'AS', 'SEPARATOR',
]);
const TYPE_AFTER = new Set(['RETURNING', 'AS']);
const KEY_VALUE_FUNCTIONS = new Set(['JSON_OBJECT', 'JSON_OBJECTAGG']);
const INTERVAL_UNITS = new Set(['YEAR', 'YEARS', 'MONTH', 'MONTHS', 'WEEK', 'WEEKS', 'DAY', 'DAYS', 'HOUR', 'HOURS', 'MINUTE', 'MINUTES', 'SECOND', 'SECONDS', 'MILLISECOND', 'MILLISECONDS', 'MICROSECOND', 'NANOSECOND', 'QUARTER', 'DOW', 'DOY', 'EPOCH', 'DECADE', 'CENTURY', 'MILLENNIUM', 'ISODOW', 'ISOYEAR']);
const COMPARISONS = new Set(['=', '<>', '!=', '<', '>', '<=', '>=']);

/** Deepest nesting of parentheses and sub-expressions the parser follows before refusing. */
export const MAX_NESTING = 200;

const describe = (t: Token): string => (t.kind === 'eof' ? 'the end of the SQL' : t.kind === 'string' ? `string '${t.value.slice(0, 40)}'` : `\`${t.text.slice(0, 40)}\``);

/**
 * A recursive-descent parser for the query subset of Flink SQL. It checks structure strictly
 * (clauses, expressions, parentheses, joins, set operations, window functions) and argument lists
 * of functions leniently, since Flink has many special argument syntaxes.
 */
class Parser {
  private i = 0;
  private depth = 0;
  private readonly tables: TableReference[] = [];
  private readonly cteNames: string[] = [];

  constructor(private readonly tokens: Token[]) {}

  /** a whole text that is one scalar expression */
  parseExpressionText(): void {
    this.expression();
    const rest = this.peek();
    if (rest.kind !== 'eof') throw new SqlSyntaxError(`unexpected ${describe(rest)} after the expression`, rest.start);
  }

  parseStatement(): SelectStatement {
    const first = this.peek();
    if (first.kind === 'eof') throw new SqlSyntaxError('the SQL is empty', first.start, 'write one SELECT statement');
    if (first.kind === 'word' && NON_QUERY_STATEMENTS[first.value] !== undefined) {
      throw new SqlSyntaxError(
        `a transform must be exactly one SELECT statement; \`${first.text}\` starts ${NON_QUERY_STATEMENTS[first.value]}`,
        first.start,
        'write a query: SELECT … FROM {{ input }}',
      );
    }
    if (!this.isWord('SELECT') && !this.isWord('WITH') && !this.isOp('(') && !this.isWord('VALUES')) {
      throw new SqlSyntaxError(`expected SELECT, found ${describe(first)}`, first.start, 'a transform is one SELECT statement');
    }
    const columns = this.query();
    if (this.isOp(';')) {
      this.next();
      const after = this.peek();
      if (after.kind !== 'eof') {
        throw new SqlSyntaxError('a transform must be exactly one SELECT statement; a second statement follows the `;`', after.start, 'split the work into several transformations');
      }
    }
    const rest = this.peek();
    if (rest.kind !== 'eof') throw this.unexpected(rest, 'the end of the statement');
    return { columns, tables: this.tables, cteNames: this.cteNames };
  }

  // ---- token helpers -------------------------------------------------------------------------

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.i + ahead, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }

  private isWord(word: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.kind === 'word' && t.value === word;
  }

  private isOp(op: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.kind === 'op' && t.value === op;
  }

  private acceptWord(word: string): boolean {
    if (!this.isWord(word)) return false;
    this.next();
    return true;
  }

  private acceptOp(op: string): boolean {
    if (!this.isOp(op)) return false;
    this.next();
    return true;
  }

  private expectWord(word: string): Token {
    if (!this.isWord(word)) throw this.unexpected(this.peek(), `\`${word}\``);
    return this.next();
  }

  private expectOp(op: string, opened?: Token): Token {
    if (!this.isOp(op)) {
      const t = this.peek();
      if (op === ')' && opened !== undefined) {
        return this.fail(t, `expected \`)\` to close the \`(\` at line ${opened.start.line}, col ${opened.start.col}, found ${describe(t)}`);
      }
      throw this.unexpected(t, `\`${op}\``);
    }
    return this.next();
  }

  private unexpected(t: Token, expected: string): SqlSyntaxError {
    return new SqlSyntaxError(t.kind === 'eof' ? `unexpected end of the SQL: expected ${expected}` : `unexpected ${describe(t)}: expected ${expected}`, t.start);
  }

  private fail(t: Token, message: string, hint?: string): never {
    throw new SqlSyntaxError(message, t.start, hint);
  }

  private enter(): void {
    if (++this.depth > MAX_NESTING) this.fail(this.peek(), `the SQL nests deeper than ${MAX_NESTING} levels`);
  }

  private leave(): void {
    this.depth--;
  }

  /** an identifier: a back-quoted name or a word that is not a clause keyword */
  private isIdentifier(ahead = 0): boolean {
    const t = this.peek(ahead);
    return t.kind === 'quoted' || (t.kind === 'word' && !CLAUSE_WORDS.has(t.value));
  }

  private identifier(what = 'an identifier'): Token {
    if (!this.isIdentifier()) throw this.unexpected(this.peek(), what);
    return this.next();
  }

  /** the name an identifier token stands for (back-quotes removed, case kept) */
  private static nameOf(t: Token): string {
    return t.kind === 'quoted' ? t.value : t.text;
  }

  // ---- queries -------------------------------------------------------------------------------

  /** query := [WITH …] setExpr [ORDER BY …] [LIMIT …] [OFFSET …] [FETCH …]; returns its output columns */
  private query(): OutputColumn[] {
    this.enter();
    if (this.acceptWord('WITH')) {
      this.acceptWord('RECURSIVE');
      do {
        const name = this.identifier('the name of a WITH query');
        this.cteNames.push(Parser.nameOf(name));
        if (this.isOp('(')) this.parenthesizedIdentifiers();
        this.expectWord('AS');
        const open = this.expectOp('(');
        this.query();
        this.expectOp(')', open);
      } while (this.acceptOp(','));
    }
    const columns = this.setExpression();
    if (this.isWord('ORDER')) {
      this.next();
      this.expectWord('BY');
      this.orderList();
    }
    if (this.acceptWord('LIMIT')) {
      if (!this.acceptWord('ALL')) this.expression();
    }
    if (this.acceptWord('OFFSET')) {
      this.expression();
      if (!this.acceptWord('ROWS')) this.acceptWord('ROW');
    }
    if (this.acceptWord('FETCH')) {
      if (!this.acceptWord('FIRST')) this.expectWord('NEXT');
      if (!this.isWord('ROW') && !this.isWord('ROWS')) this.expression();
      if (!this.acceptWord('ROWS')) this.expectWord('ROW');
      this.expectWord('ONLY');
    }
    this.leave();
    return columns;
  }

  private setExpression(): OutputColumn[] {
    const columns = this.queryPrimary();
    while (['UNION', 'INTERSECT', 'EXCEPT', 'MINUS'].some((w) => this.isWord(w))) {
      this.next();
      if (!this.acceptWord('ALL')) this.acceptWord('DISTINCT');
      this.queryPrimary();
    }
    return columns;
  }

  private queryPrimary(): OutputColumn[] {
    if (this.isOp('(')) {
      const open = this.next();
      const columns = this.query();
      this.expectOp(')', open);
      return columns;
    }
    if (this.acceptWord('VALUES')) {
      let width = 0;
      do {
        const row = this.expression();
        width = Math.max(width, row);
      } while (this.acceptOp(','));
      const at = this.peek().start;
      return Array.from({ length: width }, (_, k) => ({ name: `EXPR$${k}`, kind: 'expression' as const, position: at }));
    }
    if (!this.isWord('SELECT')) throw this.unexpected(this.peek(), '`SELECT`');
    return this.select();
  }

  private select(): OutputColumn[] {
    this.expectWord('SELECT');
    if (!this.acceptWord('DISTINCT')) this.acceptWord('ALL');
    const columns: OutputColumn[] = [];
    do {
      columns.push(this.selectItem(columns.length));
    } while (this.acceptOp(','));
    const after = this.peek();
    if (after.kind === 'number' || after.kind === 'string' || after.kind === 'quoted' || (after.kind === 'word' && !CLAUSE_WORDS.has(after.value))) {
      throw this.unexpected(after, '`,` between select items, or FROM');
    }
    if (this.acceptWord('FROM')) this.fromClause();
    if (this.acceptWord('WHERE')) this.expression();
    if (this.isWord('GROUP')) {
      this.next();
      this.expectWord('BY');
      this.groupList();
    }
    if (this.acceptWord('HAVING')) this.expression();
    if (this.acceptWord('WINDOW')) {
      do {
        this.identifier('a window name');
        this.expectWord('AS');
        this.windowSpecification();
      } while (this.acceptOp(','));
    }
    if (this.acceptWord('QUALIFY')) this.expression();
    return columns;
  }

  private selectItem(index: number): OutputColumn {
    const start = this.peek();
    if (this.isOp('*')) {
      this.next();
      return { name: null, kind: 'star', position: start.start };
    }
    const before = this.i;
    this.expression();
    const consumed = this.tokens.slice(before, this.i);
    const last = consumed[consumed.length - 1];
    if (last !== undefined && last.kind === 'op' && last.value === '*' && consumed.length >= 3 && consumed[consumed.length - 2]?.value === '.') {
      return { name: null, kind: 'star', position: start.start };
    }
    if (this.acceptWord('AS')) {
      const alias = this.identifier('a column alias after AS');
      return { name: Parser.nameOf(alias), kind: 'alias', position: alias.start };
    }
    if (this.isIdentifier()) {
      const alias = this.next();
      return { name: Parser.nameOf(alias), kind: 'alias', position: alias.start };
    }
    // a plain (possibly qualified) column reference keeps its name
    const isChain = consumed.every((t, k) => (k % 2 === 0 ? t.kind === 'word' || t.kind === 'quoted' : t.kind === 'op' && t.value === '.'));
    if (isChain && last !== undefined && consumed.length % 2 === 1 && !(consumed.length === 1 && last.kind === 'word' && isLiteralWord(last.value))) {
      return { name: Parser.nameOf(last), kind: 'column', position: start.start };
    }
    return { name: `EXPR$${index}`, kind: 'expression', position: start.start };
  }

  private fromClause(): void {
    this.tableReference();
    for (;;) {
      if (this.acceptOp(',')) {
        this.tableReference();
        continue;
      }
      const joinStart = this.peek();
      const natural = this.acceptWord('NATURAL');
      let cross = false;
      if (this.acceptWord('CROSS')) cross = true;
      else if (this.acceptWord('LEFT') || this.acceptWord('RIGHT') || this.acceptWord('FULL')) this.acceptWord('OUTER');
      else this.acceptWord('INNER');
      if (!this.isWord('JOIN')) {
        if (this.peek() !== joinStart) throw this.unexpected(this.peek(), '`JOIN`');
        return;
      }
      this.next();
      this.tableReference();
      if (cross || natural) continue;
      if (this.acceptWord('ON')) this.expression();
      else if (this.acceptWord('USING')) this.parenthesizedIdentifiers();
      else throw this.unexpected(this.peek(), '`ON` or `USING` after the joined table');
    }
  }

  private tableReference(): void {
    this.enter();
    const t = this.peek();
    if (t.kind === 'placeholder') {
      this.next();
      this.tables.push({ kind: 'placeholder', name: t.value, position: t.start });
    } else if (this.isOp('(')) {
      const open = this.next();
      this.query();
      this.expectOp(')', open);
    } else if (this.isWord('LATERAL') || this.isWord('TABLE')) {
      const lateral = this.acceptWord('LATERAL');
      if (lateral && this.isOp('(')) {
        const open = this.next();
        this.query();
        this.expectOp(')', open);
      } else {
        this.expectWord('TABLE');
        const open = this.expectOp('(');
        this.expression();
        this.expectOp(')', open);
      }
    } else if (this.isWord('UNNEST')) {
      this.next();
      const open = this.expectOp('(');
      this.expressionList();
      this.expectOp(')', open);
      if (this.acceptWord('WITH')) this.expectWord('ORDINALITY');
    } else {
      const name = this.qualifiedName('a table name or {{ input }}');
      this.tables.push({ kind: 'table', name: name.name, position: name.position });
      if (this.isOp('/') && this.isOp('*', 1)) this.fail(this.peek(), 'table hints are not supported in transforms');
    }
    if (this.acceptWord('FOR')) {
      this.expectWord('SYSTEM_TIME');
      this.expectWord('AS');
      this.expectWord('OF');
      this.expression();
    }
    if (this.acceptWord('AS') || this.isIdentifier()) {
      this.identifier('a table alias');
      if (this.isOp('(')) this.parenthesizedIdentifiers();
    }
    this.leave();
  }

  private qualifiedName(what: string): { name: string; position: SqlPosition } {
    const first = this.identifier(what);
    const parts = [Parser.nameOf(first)];
    while (this.isOp('.')) {
      this.next();
      parts.push(Parser.nameOf(this.identifier('a name after `.`')));
    }
    return { name: parts.join('.'), position: first.start };
  }

  private parenthesizedIdentifiers(): void {
    const open = this.expectOp('(');
    do this.identifier();
    while (this.acceptOp(','));
    this.expectOp(')', open);
  }

  private orderList(): void {
    do {
      this.expression();
      if (!this.acceptWord('ASC')) this.acceptWord('DESC');
      if (this.acceptWord('NULLS')) {
        if (!this.acceptWord('FIRST')) this.expectWord('LAST');
      }
    } while (this.acceptOp(','));
  }

  private groupList(): void {
    do {
      if (this.isWord('GROUPING') && this.isWord('SETS', 1)) {
        this.next();
        this.next();
        const open = this.expectOp('(');
        this.groupList();
        this.expectOp(')', open);
      } else if (this.isOp('(') && this.isOp(')', 1)) {
        this.next();
        this.next();
      } else {
        this.expression();
      }
    } while (this.acceptOp(','));
  }

  private windowSpecification(): void {
    if (this.isIdentifier() && !this.isOp('(')) {
      this.next();
      return;
    }
    const open = this.expectOp('(');
    if (this.isIdentifier() && !this.isWord('PARTITION') && !this.isWord('ORDER') && !this.isWord('ROWS') && !this.isWord('RANGE')) this.next();
    if (this.acceptWord('PARTITION')) {
      this.expectWord('BY');
      this.expressionList();
    }
    if (this.acceptWord('ORDER')) {
      this.expectWord('BY');
      this.orderList();
    }
    if (this.acceptWord('ROWS') || this.acceptWord('RANGE')) {
      if (this.acceptWord('BETWEEN')) {
        this.frameBound();
        this.expectWord('AND');
        this.frameBound();
      } else {
        this.frameBound();
      }
    }
    this.expectOp(')', open);
  }

  private frameBound(): void {
    if (this.acceptWord('UNBOUNDED')) {
      if (!this.acceptWord('PRECEDING')) this.expectWord('FOLLOWING');
    } else if (this.acceptWord('CURRENT')) {
      this.expectWord('ROW');
    } else {
      this.additive();
      if (!this.acceptWord('PRECEDING')) this.expectWord('FOLLOWING');
    }
  }

  // ---- expressions ---------------------------------------------------------------------------

  /** parses a comma-separated list of expressions and returns how many there were */
  private expressionList(): number {
    let n = 0;
    do {
      this.expression();
      n++;
    } while (this.acceptOp(','));
    return n;
  }

  /** an expression; returns the width of a row constructor `(a, b)` (1 otherwise) */
  expression(): number {
    this.enter();
    const width = this.or();
    this.leave();
    return width;
  }

  private or(): number {
    let width = this.and();
    while (this.acceptWord('OR')) {
      this.and();
      width = 1;
    }
    return width;
  }

  private and(): number {
    let width = this.not();
    while (this.acceptWord('AND')) {
      this.not();
      width = 1;
    }
    return width;
  }

  private not(): number {
    if (this.acceptWord('NOT')) {
      this.enter();
      this.not();
      this.leave();
      return 1;
    }
    return this.predicate();
  }

  private predicate(): number {
    let width = this.additive();
    for (;;) {
      const t = this.peek();
      if (t.kind === 'op' && COMPARISONS.has(t.value)) {
        this.next();
        if (this.acceptWord('ALL') || this.acceptWord('ANY') || this.acceptWord('SOME')) {
          const open = this.expectOp('(');
          this.query();
          this.expectOp(')', open);
        } else {
          this.additive();
        }
      } else if (this.acceptWord('IS')) {
        this.acceptWord('NOT');
        if (this.acceptWord('DISTINCT')) {
          this.expectWord('FROM');
          this.additive();
        } else if (this.acceptWord('JSON')) {
          if (!this.acceptWord('VALUE') && !this.acceptWord('OBJECT') && !this.acceptWord('ARRAY')) this.acceptWord('SCALAR');
        } else if (!['NULL', 'TRUE', 'FALSE', 'UNKNOWN'].some((w) => this.acceptWord(w))) {
          throw this.unexpected(this.peek(), 'NULL, TRUE, FALSE, UNKNOWN, DISTINCT FROM or JSON after IS');
        }
      } else if (this.isWord('NOT') && (['BETWEEN', 'LIKE', 'SIMILAR'].some((w) => this.isWord(w, 1)) || (this.isWord('IN', 1) && this.isOp('(', 2)))) {
        this.next();
        this.postfixPredicate();
      } else if (['BETWEEN', 'LIKE', 'SIMILAR'].some((w) => this.isWord(w)) || (this.isWord('IN') && this.isOp('(', 1))) {
        this.postfixPredicate();
      } else {
        return width;
      }
      width = 1;
    }
  }

  private postfixPredicate(): void {
    if (this.acceptWord('BETWEEN')) {
      if (!this.acceptWord('SYMMETRIC')) this.acceptWord('ASYMMETRIC');
      this.additive();
      this.expectWord('AND');
      this.additive();
    } else if (this.acceptWord('IN')) {
      const open = this.expectOp('(');
      if (this.isWord('SELECT') || this.isWord('WITH') || this.isWord('VALUES')) this.query();
      else this.expressionList();
      this.expectOp(')', open);
    } else {
      if (this.acceptWord('SIMILAR')) this.expectWord('TO');
      else this.expectWord('LIKE');
      this.additive();
      if (this.acceptWord('ESCAPE')) this.additive();
    }
  }

  private additive(): number {
    let width = this.multiplicative();
    while (this.isOp('+') || this.isOp('-') || this.isOp('||')) {
      this.next();
      this.multiplicative();
      width = 1;
    }
    return width;
  }

  private multiplicative(): number {
    let width = this.unary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
      this.next();
      this.unary();
      width = 1;
    }
    return width;
  }

  private unary(): number {
    if (this.isOp('+') || this.isOp('-')) {
      this.next();
      this.enter();
      this.unary();
      this.leave();
      return 1;
    }
    return this.postfix();
  }

  private postfix(): number {
    let width = this.primary();
    for (;;) {
      if (this.isOp('[')) {
        const open = this.next();
        this.expression();
        if (!this.isOp(']')) this.fail(this.peek(), `expected \`]\` to close the \`[\` at line ${open.start.line}, col ${open.start.col}`);
        this.next();
      } else if (this.isOp('.')) {
        this.next();
        if (this.isOp('*')) {
          this.next();
          return 1;
        }
        this.identifier('a field name after `.`');
      } else {
        return width;
      }
      width = 1;
    }
  }

  private primary(): number {
    const t = this.peek();
    switch (t.kind) {
      case 'number':
        this.next();
        return 1;
      case 'string':
        this.next();
        while (this.peek().kind === 'string') this.next();
        return 1;
      case 'quoted':
        this.next();
        return 1;
      case 'placeholder':
        return this.fail(t, `the placeholder \`{{ ${t.value} }}\` stands for a table; use it after FROM or JOIN`);
      case 'eof':
        throw this.unexpected(t, 'an expression');
      case 'op':
        if (t.value === '(') {
          const open = this.next();
          if (this.isWord('SELECT') || this.isWord('WITH') || this.isWord('VALUES')) {
            this.query();
            this.expectOp(')', open);
            return 1;
          }
          const width = this.expressionList();
          this.expectOp(')', open);
          return width;
        }
        if (t.value === '?') {
          return this.fail(t, 'query parameters (`?`) are not supported in transforms');
        }
        throw this.unexpected(t, 'an expression');
      case 'word':
        return this.wordPrimary(t);
    }
  }

  private wordPrimary(t: Token): number {
    const word = t.value;
    const nextIsString = this.peek(1).kind === 'string';
    if (word === 'CASE') return this.caseExpression();
    if ((word === 'CAST' || word === 'TRY_CAST') && this.isOp('(', 1)) {
      this.next();
      const open = this.next();
      this.expression();
      this.expectWord('AS');
      this.dataType();
      this.expectOp(')', open);
      return 1;
    }
    if (word === 'EXTRACT' && this.isOp('(', 1)) {
      this.next();
      const open = this.next();
      const unit = this.next();
      if (unit.kind !== 'word' || !INTERVAL_UNITS.has(unit.value)) this.fail(unit, `expected a time unit (YEAR, MONTH, DAY, HOUR, …) in EXTRACT, found ${describe(unit)}`);
      this.expectWord('FROM');
      this.expression();
      this.expectOp(')', open);
      return 1;
    }
    if (word === 'EXISTS' && this.isOp('(', 1)) {
      this.next();
      const open = this.next();
      this.query();
      this.expectOp(')', open);
      return 1;
    }
    if (word === 'INTERVAL') {
      this.next();
      if (this.isOp('-') || this.isOp('+')) this.next();
      if (this.peek().kind === 'string' || this.peek().kind === 'number') this.next();
      else throw this.unexpected(this.peek(), "an interval value such as '10'");
      this.intervalUnit();
      if (this.acceptWord('TO')) this.intervalUnit();
      return 1;
    }
    if ((word === 'DATE' || word === 'TIME' || word === 'TIMESTAMP' || word === 'TIMESTAMP_LTZ') && nextIsString) {
      this.next();
      this.next();
      return 1;
    }
    if ((word === 'ARRAY' || word === 'MAP') && this.isOp('[', 1)) {
      this.next();
      const open = this.next();
      if (!this.isOp(']')) this.expressionList();
      if (!this.isOp(']')) this.fail(this.peek(), `expected \`]\` to close the \`[\` at line ${open.start.line}, col ${open.start.col}`);
      this.next();
      return 1;
    }
    if (word === 'TABLE' && (this.peek(1).kind === 'placeholder' || this.peek(1).kind === 'word' || this.peek(1).kind === 'quoted')) {
      // a table argument of a table-valued function: TUMBLE(TABLE {{ input }}, …)
      this.next();
      const arg = this.peek();
      if (arg.kind === 'placeholder') {
        this.next();
        this.tables.push({ kind: 'placeholder', name: arg.value, position: arg.start });
      } else {
        const name = this.qualifiedName('a table name');
        this.tables.push({ kind: 'table', name: name.name, position: name.position });
      }
      return 1;
    }
    if (isLiteralWord(word)) {
      this.next();
      return 1;
    }
    if (this.isOp('(', 1) && !CLAUSE_WORDS.has(word)) return this.functionCall();
    if (word === 'LEFT' || word === 'RIGHT') {
      if (this.isOp('(', 1)) return this.functionCall();
    }
    if (CLAUSE_WORDS.has(word)) throw this.unexpected(t, 'an expression');
    this.next();
    // a qualified function name: `catalog.db.fn(…)`
    if (this.isOp('.') && (this.peek(1).kind === 'word' || this.peek(1).kind === 'quoted') && this.isOp('(', 2)) {
      this.next();
      return this.functionCall();
    }
    return 1;
  }

  private intervalUnit(): void {
    const unit = this.next();
    if (unit.kind !== 'word' || !INTERVAL_UNITS.has(unit.value)) {
      this.fail(unit, `expected a time unit (SECOND, MINUTE, HOUR, DAY, …) after the interval value, found ${describe(unit)}`);
    }
    if (this.isOp('(')) {
      const open = this.next();
      do {
        if (this.peek().kind !== 'number') throw this.unexpected(this.peek(), 'a precision');
        this.next();
      } while (this.acceptOp(','));
      this.expectOp(')', open);
    }
  }

  private caseExpression(): number {
    const start = this.expectWord('CASE');
    if (!this.isWord('WHEN')) this.expression();
    if (!this.isWord('WHEN')) throw this.unexpected(this.peek(), '`WHEN`');
    while (this.acceptWord('WHEN')) {
      this.expressionList();
      this.expectWord('THEN');
      this.expression();
    }
    if (this.acceptWord('ELSE')) this.expression();
    if (!this.isWord('END')) this.fail(this.peek(), `expected \`END\` to close the CASE at line ${start.start.line}, col ${start.start.col}, found ${describe(this.peek())}`);
    this.next();
    return 1;
  }

  private functionCall(): number {
    const name = this.next();
    const open = this.expectOp('(');
    this.enter();
    if (!this.isOp(')')) {
      if (!this.acceptWord('DISTINCT')) this.acceptWord('ALL');
      if (this.isOp('*') && (this.isOp(')', 1) || this.isOp(',', 1))) this.next();
      else this.argument(name.value);
      while (this.acceptOp(',')) this.argument(name.value);
    }
    this.expectOp(')', open);
    this.leave();
    if (this.isWord('WITHIN') && this.isWord('GROUP', 1)) {
      this.next();
      this.next();
      const o = this.expectOp('(');
      this.expectWord('ORDER');
      this.expectWord('BY');
      this.orderList();
      this.expectOp(')', o);
    }
    if (this.acceptWord('FILTER')) {
      const o = this.expectOp('(');
      this.expectWord('WHERE');
      this.expression();
      this.expectOp(')', o);
    }
    if (this.acceptWord('OVER')) this.windowSpecification();
    return 1;
  }

  /** one function argument: `name => expr`, or expressions mixed with the keywords of special functions */
  private argument(functionName: string): void {
    if (this.isIdentifier() && this.isOp('=>', 1)) {
      this.next();
      this.next();
    }
    const keyValue = KEY_VALUE_FUNCTIONS.has(functionName);
    const isArgumentWord = (): boolean => {
      const t = this.peek();
      return t.kind === 'word' && (ARGUMENT_WORDS.has(t.value) || (keyValue && (t.value === 'KEY' || t.value === 'VALUE')));
    };
    let any = false;
    let lastWasExpression = false;
    while (!this.isOp(',') && !this.isOp(')') && this.peek().kind !== 'eof') {
      if (isArgumentWord() && !(this.isWord('NULL') && !any)) {
        const word = this.next();
        if (TYPE_AFTER.has(word.value)) this.dataType();
        lastWasExpression = false;
      } else {
        if (lastWasExpression) throw this.unexpected(this.peek(), '`,` or `)` in the argument list');
        this.expression();
        lastWasExpression = true;
      }
      any = true;
    }
    if (!any) throw this.unexpected(this.peek(), 'a function argument');
  }

  /** a Flink SQL data type: INT, DECIMAL(10, 2), TIMESTAMP(3) WITH LOCAL TIME ZONE, ARRAY<STRING>, ROW<a INT>, … */
  private dataType(): void {
    this.enter();
    const t = this.next();
    if (t.kind !== 'word' && t.kind !== 'quoted') this.fail(t, `expected a data type, found ${describe(t)}`);
    const name = t.value;
    if (name === 'DOUBLE') this.acceptWord('PRECISION');
    if (name === 'CHARACTER' || name === 'CHAR') this.acceptWord('VARYING');
    if (this.isOp('<')) {
      const open = this.next();
      if (name === 'ROW') {
        do {
          this.identifier('a field name');
          this.dataType();
          if (this.peek().kind === 'string') this.next();
        } while (this.acceptOp(','));
      } else {
        this.dataType();
        while (this.acceptOp(',')) this.dataType();
      }
      if (!this.isOp('>')) this.fail(this.peek(), `expected \`>\` to close the \`<\` at line ${open.start.line}, col ${open.start.col}, found ${describe(this.peek())}`);
      this.next();
    } else if (this.isOp('(')) {
      const open = this.next();
      if (name === 'ROW') {
        do {
          this.identifier('a field name');
          this.dataType();
        } while (this.acceptOp(','));
      } else {
        do {
          if (this.peek().kind !== 'number') throw this.unexpected(this.peek(), 'a number (length, precision or scale)');
          this.next();
        } while (this.acceptOp(','));
      }
      this.expectOp(')', open);
    }
    if (this.isWord('WITH') || this.isWord('WITHOUT')) {
      this.next();
      this.acceptWord('LOCAL');
      this.expectWord('TIME');
      this.expectWord('ZONE');
    }
    while (this.acceptWord('ARRAY') || this.acceptWord('MULTISET')) {
      /* `INT ARRAY` */
    }
    if (this.isWord('NOT') && this.isWord('NULL', 1)) {
      this.next();
      this.next();
    }
    this.leave();
  }
}

function isLiteralWord(word: string): boolean {
  return word === 'TRUE' || word === 'FALSE' || word === 'NULL' || word === 'UNKNOWN';
}

/** Parses one Flink SQL query statement. Throws `SqlSyntaxError`. */
export function parseQuery(sql: string): SelectStatement {
  return new Parser(tokenize(sql)).parseStatement();
}

/** Parses one Flink SQL scalar expression. Throws `SqlSyntaxError`. */
export function parseScalarExpression(sql: string): void {
  new Parser(tokenize(sql)).parseExpressionText();
}
