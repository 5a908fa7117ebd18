import { SqlSyntaxError, type SqlPosition } from './diagnostics';
import { tokenize, type Token } from './tokenizer';
import type { Argument, ArgumentItem, Construct, DataType, Expr, FromItem, Identifier, SelectItem, SelectNode } from './ast';

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
  /** the top SELECT (the first branch of a set operation) */
  select: SelectNode;
  /** the statement's tokens, without a trailing `;` and the end marker: what printers re-emit */
  tokens: Token[];
  /** indices into `tokens` of the words that are identifiers (columns, aliases, tables, fields) */
  identifierTokens: ReadonlySet<number>;
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

/** Built-ins Flink calls without parentheses: never quoted, never column references. */
const NILADIC = new Set(['CURRENT_TIMESTAMP', 'CURRENT_DATE', 'CURRENT_TIME', 'LOCALTIME', 'LOCALTIMESTAMP', 'CURRENT_ROW_TIMESTAMP', 'CURRENT_USER', 'SESSION_USER', 'USER', 'CURRENT_CATALOG', 'CURRENT_DATABASE']);
const WINDOW_FUNCTIONS = new Set(['TUMBLE', 'HOP', 'CUMULATE', 'SESSION']);

interface QueryResult {
  columns: OutputColumn[];
  select: SelectNode;
}

/**
 * A recursive-descent parser for the query subset of Flink SQL. It checks structure strictly
 * (clauses, expressions, parentheses, joins, set operations, window functions) and argument lists
 * of functions leniently, since Flink has many special argument syntaxes. It builds the tree of
 * `ast.ts` and remembers which word tokens are identifiers, so printers can quote them.
 */
class Parser {
  private i = 0;
  private depth = 0;
  private readonly tables: TableReference[] = [];
  private readonly cteNames: string[] = [];
  /** indices (into `tokens`) of the tokens that name columns, tables, aliases or fields */
  readonly identifierTokens = new Set<number>();

  constructor(readonly tokens: Token[]) {}

  /** a whole text that is one scalar expression */
  parseExpressionText(): Expr {
    const expr = this.expression();
    const rest = this.peek();
    if (rest.kind !== 'eof') throw new SqlSyntaxError(`unexpected ${describe(rest)} after the expression`, rest.start);
    return expr;
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
    const { columns, select } = this.query();
    let end = this.i;
    if (this.isOp(';')) {
      this.next();
      const after = this.peek();
      if (after.kind !== 'eof') {
        throw new SqlSyntaxError('a transform must be exactly one SELECT statement; a second statement follows the `;`', after.start, 'split the work into several transformations');
      }
    } else {
      end = this.i;
    }
    const rest = this.peek();
    if (rest.kind !== 'eof') throw this.unexpected(rest, 'the end of the statement');
    return { columns, tables: this.tables, cteNames: this.cteNames, select, tokens: this.tokens.slice(0, end), identifierTokens: this.identifierTokens };
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

  private identifier(what = 'an identifier'): Identifier {
    if (!this.isIdentifier()) throw this.unexpected(this.peek(), what);
    return this.markIdentifier();
  }

  /** consumes the current token as an identifier */
  private markIdentifier(): Identifier {
    this.identifierTokens.add(this.i);
    const t = this.next();
    return { name: Parser.nameOf(t), quoted: t.kind === 'quoted', position: t.start };
  }

  /** the name an identifier token stands for (back-quotes removed, case kept) */
  private static nameOf(t: Token): string {
    return t.kind === 'quoted' ? t.value : t.text;
  }

  // ---- queries -------------------------------------------------------------------------------

  /** query := [WITH …] setExpr [ORDER BY …] [LIMIT …] [OFFSET …] [FETCH …] */
  private query(): QueryResult {
    this.enter();
    const constructs: Construct[] = [];
    if (this.isWord('WITH')) {
      constructs.push({ name: 'WITH', position: this.peek().start });
      this.next();
      this.acceptWord('RECURSIVE');
      do {
        const name = this.identifier('the name of a WITH query');
        this.cteNames.push(name.name);
        if (this.isOp('(')) this.parenthesizedIdentifiers();
        this.expectWord('AS');
        const open = this.expectOp('(');
        this.query();
        this.expectOp(')', open);
      } while (this.acceptOp(','));
    }
    const result = this.setExpression();
    if (this.isWord('ORDER')) {
      constructs.push({ name: 'ORDER BY', position: this.peek().start });
      this.next();
      this.expectWord('BY');
      this.orderList();
    }
    if (this.isWord('LIMIT')) {
      constructs.push({ name: 'LIMIT', position: this.peek().start });
      this.next();
      if (!this.acceptWord('ALL')) this.expression();
    }
    if (this.isWord('OFFSET')) {
      constructs.push({ name: 'OFFSET', position: this.peek().start });
      this.next();
      this.expression();
      if (!this.acceptWord('ROWS')) this.acceptWord('ROW');
    }
    if (this.isWord('FETCH')) {
      constructs.push({ name: 'FETCH', position: this.peek().start });
      this.next();
      if (!this.acceptWord('FIRST')) this.expectWord('NEXT');
      if (!this.isWord('ROW') && !this.isWord('ROWS')) this.expression();
      if (!this.acceptWord('ROWS')) this.expectWord('ROW');
      this.expectWord('ONLY');
    }
    this.leave();
    return { columns: result.columns, select: { ...result.select, constructs: [...constructs, ...result.select.constructs] } };
  }

  private setExpression(): QueryResult {
    const result = this.queryPrimary();
    while (['UNION', 'INTERSECT', 'EXCEPT', 'MINUS'].some((w) => this.isWord(w))) {
      const op = this.next();
      result.select.constructs.push({ name: op.value, position: op.start });
      if (!this.acceptWord('ALL')) this.acceptWord('DISTINCT');
      this.queryPrimary();
    }
    return result;
  }

  private queryPrimary(): QueryResult {
    if (this.isOp('(')) {
      const open = this.next();
      const result = this.query();
      this.expectOp(')', open);
      return result;
    }
    if (this.isWord('VALUES')) {
      const at0 = this.next().start;
      let width = 0;
      do {
        const row = this.expression();
        width = Math.max(width, row.kind === 'other' && row.construct === 'a row constructor' ? rowWidth(row) : 1);
      } while (this.acceptOp(','));
      const at = this.peek().start;
      const columns = Array.from({ length: width }, (_, k) => ({ name: `EXPR$${k}`, kind: 'expression' as const, position: at }));
      return { columns, select: { items: [], from: null, where: null, constructs: [{ name: 'VALUES', position: at0 }] } };
    }
    if (!this.isWord('SELECT')) throw this.unexpected(this.peek(), '`SELECT`');
    return this.select();
  }

  private select(): QueryResult {
    this.expectWord('SELECT');
    const constructs: Construct[] = [];
    if (this.isWord('DISTINCT')) constructs.push({ name: 'SELECT DISTINCT', position: this.peek().start });
    if (!this.acceptWord('DISTINCT')) this.acceptWord('ALL');
    const columns: OutputColumn[] = [];
    const items: SelectItem[] = [];
    do {
      const { column, item } = this.selectItem(columns.length);
      columns.push(column);
      items.push(item);
    } while (this.acceptOp(','));
    const after = this.peek();
    if (after.kind === 'number' || after.kind === 'string' || after.kind === 'quoted' || (after.kind === 'word' && !CLAUSE_WORDS.has(after.value))) {
      throw this.unexpected(after, '`,` between select items, or FROM');
    }
    let from: FromItem | null = null;
    let where: Expr | null = null;
    if (this.acceptWord('FROM')) from = this.fromClause(constructs);
    if (this.acceptWord('WHERE')) where = this.expression();
    if (this.isWord('GROUP')) {
      constructs.push({ name: 'GROUP BY', position: this.peek().start });
      this.next();
      this.expectWord('BY');
      this.groupList();
    }
    if (this.isWord('HAVING')) {
      constructs.push({ name: 'HAVING', position: this.peek().start });
      this.next();
      this.expression();
    }
    if (this.isWord('WINDOW')) {
      constructs.push({ name: 'WINDOW', position: this.peek().start });
      this.next();
      do {
        this.identifier('a window name');
        this.expectWord('AS');
        this.windowSpecification();
      } while (this.acceptOp(','));
    }
    if (this.isWord('QUALIFY')) {
      constructs.push({ name: 'QUALIFY', position: this.peek().start });
      this.next();
      this.expression();
    }
    return { columns, select: { items, from, where, constructs } };
  }

  private selectItem(index: number): { column: OutputColumn; item: SelectItem } {
    const start = this.peek();
    if (this.isOp('*')) {
      this.next();
      return { column: { name: null, kind: 'star', position: start.start }, item: { expr: null, alias: null, position: start.start } };
    }
    const before = this.i;
    const expr = this.expression();
    const consumed = this.tokens.slice(before, this.i);
    const last = consumed[consumed.length - 1];
    if (last !== undefined && last.kind === 'op' && last.value === '*' && consumed.length >= 3 && consumed[consumed.length - 2]?.value === '.') {
      return { column: { name: null, kind: 'star', position: start.start }, item: { expr: null, alias: null, position: start.start } };
    }
    if (this.acceptWord('AS')) {
      const alias = this.identifier('a column alias after AS');
      return { column: { name: alias.name, kind: 'alias', position: alias.position }, item: { expr, alias, position: start.start } };
    }
    if (this.isIdentifier()) {
      const alias = this.markIdentifier();
      return { column: { name: alias.name, kind: 'alias', position: alias.position }, item: { expr, alias, position: start.start } };
    }
    if (expr.kind === 'column') {
      if (last !== undefined) return { column: { name: Parser.nameOf(last), kind: 'column', position: start.start }, item: { expr, alias: null, position: start.start } };
    }
    return { column: { name: `EXPR$${index}`, kind: 'expression', position: start.start }, item: { expr, alias: null, position: start.start } };
  }

  private fromClause(constructs: Construct[]): FromItem {
    let from = this.tableReference();
    for (;;) {
      if (this.isOp(',')) {
        from = { kind: 'other', construct: 'a join (`,` in FROM)', position: this.peek().start };
        this.next();
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
        return from;
      }
      constructs.push({ name: 'JOIN', position: joinStart.start });
      from = { kind: 'other', construct: 'a JOIN', position: joinStart.start };
      this.next();
      this.tableReference();
      if (cross || natural) continue;
      if (this.acceptWord('ON')) this.expression();
      else if (this.acceptWord('USING')) this.parenthesizedIdentifiers();
      else throw this.unexpected(this.peek(), '`ON` or `USING` after the joined table');
    }
  }

  private tableReference(): FromItem {
    this.enter();
    const t = this.peek();
    let from: FromItem;
    if (t.kind === 'placeholder') {
      this.next();
      this.tables.push({ kind: 'placeholder', name: t.value, position: t.start });
      from = { kind: 'input', placeholder: t.value, alias: null, position: t.start };
    } else if (this.isOp('(')) {
      const open = this.next();
      this.query();
      this.expectOp(')', open);
      from = { kind: 'other', construct: 'a subquery in FROM', position: t.start };
    } else if (this.isWord('LATERAL') || this.isWord('TABLE')) {
      const lateral = this.acceptWord('LATERAL');
      if (lateral && this.isOp('(')) {
        const open = this.next();
        this.query();
        this.expectOp(')', open);
        from = { kind: 'other', construct: 'LATERAL', position: t.start };
      } else {
        this.expectWord('TABLE');
        const open = this.expectOp('(');
        const fn = this.peek();
        const expr = this.expression();
        this.expectOp(')', open);
        from =
          expr.kind === 'call' && WINDOW_FUNCTIONS.has(expr.name)
            ? { kind: 'window', function: expr.name, alias: null, position: fn.start }
            : { kind: 'other', construct: lateral ? 'LATERAL TABLE' : 'a table function', position: t.start };
      }
    } else if (this.isWord('UNNEST')) {
      this.next();
      const open = this.expectOp('(');
      this.expressionList();
      this.expectOp(')', open);
      if (this.acceptWord('WITH')) this.expectWord('ORDINALITY');
      from = { kind: 'other', construct: 'UNNEST', position: t.start };
    } else {
      const name = this.qualifiedName('a table name or {{ input }}');
      this.tables.push({ kind: 'table', name: name.name, position: name.position });
      if (this.isOp('/') && this.isOp('*', 1)) this.fail(this.peek(), 'table hints are not supported in transforms');
      from = { kind: 'other', construct: `table \`${name.name}\``, position: t.start };
    }
    if (this.isWord('FOR')) {
      from = { kind: 'other', construct: 'FOR SYSTEM_TIME AS OF', position: this.peek().start };
      this.next();
      this.expectWord('SYSTEM_TIME');
      this.expectWord('AS');
      this.expectWord('OF');
      this.expression();
    }
    if (this.acceptWord('AS') || this.isIdentifier()) {
      const alias = this.identifier('a table alias');
      if (this.isOp('(')) {
        this.parenthesizedIdentifiers();
        if (from.kind !== 'other') from = { kind: 'other', construct: 'a table alias with column names', position: alias.position };
      }
      if (from.kind === 'input' || from.kind === 'window') from = { ...from, alias };
    }
    this.leave();
    return from;
  }

  private qualifiedName(what: string): { name: string; position: SqlPosition } {
    const first = this.identifier(what);
    const parts = [first.name];
    while (this.isOp('.')) {
      this.next();
      parts.push(this.identifier('a name after `.`').name);
    }
    return { name: parts.join('.'), position: first.position };
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
      this.markIdentifier();
      return;
    }
    const open = this.expectOp('(');
    if (this.isIdentifier() && !this.isWord('PARTITION') && !this.isWord('ORDER') && !this.isWord('ROWS') && !this.isWord('RANGE')) this.markIdentifier();
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

  private expressionList(): Expr[] {
    const list: Expr[] = [];
    do {
      list.push(this.expression());
    } while (this.acceptOp(','));
    return list;
  }

  expression(): Expr {
    this.enter();
    const expr = this.or();
    this.leave();
    return expr;
  }

  private or(): Expr {
    let left = this.and();
    while (this.isWord('OR')) {
      const op = this.next();
      left = { kind: 'binary', op: 'OR', left, right: this.and(), position: op.start };
    }
    return left;
  }

  private and(): Expr {
    let left = this.not();
    while (this.isWord('AND')) {
      const op = this.next();
      left = { kind: 'binary', op: 'AND', left, right: this.not(), position: op.start };
    }
    return left;
  }

  private not(): Expr {
    if (this.isWord('NOT')) {
      const op = this.next();
      this.enter();
      const expr = this.not();
      this.leave();
      return { kind: 'unary', op: 'NOT', expr, position: op.start };
    }
    return this.predicate();
  }

  private predicate(): Expr {
    let left = this.additive();
    for (;;) {
      const t = this.peek();
      if (t.kind === 'op' && COMPARISONS.has(t.value)) {
        this.next();
        if (this.acceptWord('ALL') || this.acceptWord('ANY') || this.acceptWord('SOME')) {
          const open = this.expectOp('(');
          this.query();
          this.expectOp(')', open);
          left = { kind: 'other', construct: 'a quantified comparison (ALL/ANY/SOME)', position: t.start };
        } else {
          left = { kind: 'binary', op: t.value === '!=' ? '<>' : t.value, left, right: this.additive(), position: t.start };
        }
      } else if (this.isWord('IS')) {
        this.next();
        const not = this.acceptWord('NOT');
        if (this.acceptWord('DISTINCT')) {
          this.expectWord('FROM');
          left = { kind: 'distinct-from', not, left, right: this.additive(), position: t.start };
        } else if (this.acceptWord('JSON')) {
          if (!this.acceptWord('VALUE') && !this.acceptWord('OBJECT') && !this.acceptWord('ARRAY')) this.acceptWord('SCALAR');
          left = { kind: 'other', construct: 'IS JSON', position: t.start };
        } else {
          const test = (['NULL', 'TRUE', 'FALSE', 'UNKNOWN'] as const).find((w) => this.acceptWord(w));
          if (test === undefined) throw this.unexpected(this.peek(), 'NULL, TRUE, FALSE, UNKNOWN, DISTINCT FROM or JSON after IS');
          left = { kind: 'is', not, test, expr: left, position: t.start };
        }
      } else if (this.isWord('NOT') && (['BETWEEN', 'LIKE', 'SIMILAR'].some((w) => this.isWord(w, 1)) || (this.isWord('IN', 1) && this.isOp('(', 2)))) {
        this.next();
        left = this.postfixPredicate(left, true);
      } else if (['BETWEEN', 'LIKE', 'SIMILAR'].some((w) => this.isWord(w)) || (this.isWord('IN') && this.isOp('(', 1))) {
        left = this.postfixPredicate(left, false);
      } else {
        return left;
      }
    }
  }

  private postfixPredicate(expr: Expr, not: boolean): Expr {
    const t = this.peek();
    if (this.acceptWord('BETWEEN')) {
      let symmetric = false;
      if (this.acceptWord('SYMMETRIC')) symmetric = true;
      else this.acceptWord('ASYMMETRIC');
      const low = this.additive();
      this.expectWord('AND');
      const high = this.additive();
      return { kind: 'between', not, expr, low, high, symmetric, position: t.start };
    }
    if (this.acceptWord('IN')) {
      const open = this.expectOp('(');
      let list: Expr[] | null = null;
      if (this.isWord('SELECT') || this.isWord('WITH') || this.isWord('VALUES')) this.query();
      else list = this.expressionList();
      this.expectOp(')', open);
      return list === null ? { kind: 'other', construct: 'IN (subquery)', position: t.start } : { kind: 'in', not, expr, list, position: t.start };
    }
    const similar = this.acceptWord('SIMILAR');
    if (similar) this.expectWord('TO');
    else this.expectWord('LIKE');
    const pattern = this.additive();
    const escape = this.acceptWord('ESCAPE') ? this.additive() : null;
    return { kind: 'like', not, similar, expr, pattern, escape, position: t.start };
  }

  private additive(): Expr {
    let left = this.multiplicative();
    while (this.isOp('+') || this.isOp('-') || this.isOp('||')) {
      const op = this.next();
      left = { kind: 'binary', op: op.value, left, right: this.multiplicative(), position: op.start };
    }
    return left;
  }

  private multiplicative(): Expr {
    let left = this.unary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
      const op = this.next();
      left = { kind: 'binary', op: op.value, left, right: this.unary(), position: op.start };
    }
    return left;
  }

  private unary(): Expr {
    if (this.isOp('+') || this.isOp('-')) {
      const op = this.next();
      this.enter();
      const expr = this.unary();
      this.leave();
      return { kind: 'unary', op: op.value as '-' | '+', expr, position: op.start };
    }
    return this.postfix();
  }

  private postfix(): Expr {
    let expr = this.primary();
    for (;;) {
      if (this.isOp('[')) {
        const open = this.next();
        this.expression();
        if (!this.isOp(']')) this.fail(this.peek(), `expected \`]\` to close the \`[\` at line ${open.start.line}, col ${open.start.col}`);
        this.next();
        expr = { kind: 'other', construct: 'element access (`[…]`)', position: open.start };
      } else if (this.isOp('.')) {
        const dot = this.next();
        if (this.isOp('*')) {
          this.next();
          return { kind: 'other', construct: '`.*`', position: dot.start };
        }
        const field = this.identifier('a field name after `.`');
        expr = expr.kind === 'column' ? { ...expr, parts: [...expr.parts, field] } : { kind: 'other', construct: 'a field access', position: field.position };
      } else {
        return expr;
      }
    }
  }

  private primary(): Expr {
    const t = this.peek();
    switch (t.kind) {
      case 'number':
        this.next();
        return { kind: 'number', text: t.text, position: t.start };
      case 'string': {
        this.next();
        let value = t.value;
        while (this.peek().kind === 'string') value += this.next().value;
        return { kind: 'string', value, position: t.start };
      }
      case 'quoted':
        return { kind: 'column', parts: [this.markIdentifier()], position: t.start };
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
            return { kind: 'other', construct: 'a subquery', position: t.start };
          }
          const list = this.expressionList();
          this.expectOp(')', open);
          if (list.length === 1) return { kind: 'paren', expr: list[0] as Expr, position: t.start };
          return { kind: 'other', construct: 'a row constructor', position: t.start, width: list.length } as Expr;
        }
        if (t.value === '?') {
          return this.fail(t, 'query parameters (`?`) are not supported in transforms');
        }
        throw this.unexpected(t, 'an expression');
      case 'word':
        return this.wordPrimary(t);
    }
  }

  private wordPrimary(t: Token): Expr {
    const word = t.value;
    const nextIsString = this.peek(1).kind === 'string';
    if (word === 'CASE') return this.caseExpression();
    if ((word === 'CAST' || word === 'TRY_CAST') && this.isOp('(', 1)) {
      this.next();
      const open = this.next();
      const expr = this.expression();
      this.expectWord('AS');
      const type = this.dataType();
      this.expectOp(')', open);
      return { kind: 'cast', try: word === 'TRY_CAST', expr, type, position: t.start };
    }
    if (word === 'EXTRACT' && this.isOp('(', 1)) {
      this.next();
      const open = this.next();
      const unit = this.next();
      if (unit.kind !== 'word' || !INTERVAL_UNITS.has(unit.value)) this.fail(unit, `expected a time unit (YEAR, MONTH, DAY, HOUR, …) in EXTRACT, found ${describe(unit)}`);
      this.expectWord('FROM');
      const expr = this.expression();
      this.expectOp(')', open);
      return { kind: 'extract', unit: unit.value, expr, position: t.start };
    }
    if (word === 'EXISTS' && this.isOp('(', 1)) {
      this.next();
      const open = this.next();
      this.query();
      this.expectOp(')', open);
      return { kind: 'other', construct: 'EXISTS', position: t.start };
    }
    if (word === 'INTERVAL') {
      this.next();
      let negative = false;
      if (this.isOp('-') || this.isOp('+')) negative = this.next().value === '-';
      const value = this.peek();
      if (value.kind === 'string' || value.kind === 'number') this.next();
      else throw this.unexpected(this.peek(), "an interval value such as '10'");
      const from = this.intervalUnit();
      const to = this.acceptWord('TO') ? this.intervalUnit() : null;
      return { kind: 'interval', negative, value: value.kind === 'string' ? value.value : value.text, from, to, position: t.start };
    }
    if ((word === 'DATE' || word === 'TIME' || word === 'TIMESTAMP' || word === 'TIMESTAMP_LTZ') && nextIsString) {
      this.next();
      const value = this.next();
      return { kind: 'typed-literal', type: word, value: value.value, position: t.start };
    }
    if ((word === 'ARRAY' || word === 'MAP') && this.isOp('[', 1)) {
      this.next();
      const open = this.next();
      if (!this.isOp(']')) this.expressionList();
      if (!this.isOp(']')) this.fail(this.peek(), `expected \`]\` to close the \`[\` at line ${open.start.line}, col ${open.start.col}`);
      this.next();
      return { kind: 'other', construct: `${word}[…]`, position: t.start };
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
      return { kind: 'other', construct: 'a TABLE argument', position: t.start };
    }
    if (isLiteralWord(word)) {
      this.next();
      if (word === 'NULL') return { kind: 'null', position: t.start };
      if (word === 'UNKNOWN') return { kind: 'unknown-literal', position: t.start };
      return { kind: 'boolean', value: word === 'TRUE', position: t.start };
    }
    if (this.isOp('(', 1) && !CLAUSE_WORDS.has(word)) return this.functionCall(false);
    if (word === 'LEFT' || word === 'RIGHT') {
      if (this.isOp('(', 1)) return this.functionCall(false);
    }
    if (CLAUSE_WORDS.has(word)) throw this.unexpected(t, 'an expression');
    if (NILADIC.has(word) && !this.isOp('.', 1)) {
      this.next();
      return { kind: 'niladic', name: word, position: t.start };
    }
    // a qualified function name: `catalog.db.fn(…)`
    if (this.isOp('.', 1) && (this.peek(2).kind === 'word' || this.peek(2).kind === 'quoted') && this.isOp('(', 3)) {
      this.next();
      this.next();
      return this.functionCall(true);
    }
    return { kind: 'column', parts: [this.markIdentifier()], position: t.start };
  }

  private intervalUnit(): string {
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
    return unit.value;
  }

  private caseExpression(): Expr {
    const start = this.expectWord('CASE');
    const operand = this.isWord('WHEN') ? null : this.expression();
    if (!this.isWord('WHEN')) throw this.unexpected(this.peek(), '`WHEN`');
    const whens: { when: Expr[]; then: Expr }[] = [];
    while (this.acceptWord('WHEN')) {
      const when = this.expressionList();
      this.expectWord('THEN');
      whens.push({ when, then: this.expression() });
    }
    const otherwise = this.acceptWord('ELSE') ? this.expression() : null;
    if (!this.isWord('END')) this.fail(this.peek(), `expected \`END\` to close the CASE at line ${start.start.line}, col ${start.start.col}, found ${describe(this.peek())}`);
    this.next();
    return { kind: 'case', operand, whens, else: otherwise, position: start.start };
  }

  private functionCall(qualified: boolean): Expr {
    const name = this.next();
    const open = this.expectOp('(');
    this.enter();
    const args: Argument[] = [];
    let distinct = false;
    let star = false;
    if (!this.isOp(')')) {
      if (this.acceptWord('DISTINCT')) distinct = true;
      else this.acceptWord('ALL');
      if (this.isOp('*') && (this.isOp(')', 1) || this.isOp(',', 1))) {
        this.next();
        star = true;
      } else {
        args.push(this.argument(name.value));
      }
      while (this.acceptOp(',')) args.push(this.argument(name.value));
    }
    this.expectOp(')', open);
    this.leave();
    let withinGroup = false;
    let filter = false;
    let over = false;
    if (this.isWord('WITHIN') && this.isWord('GROUP', 1)) {
      withinGroup = true;
      this.next();
      this.next();
      const o = this.expectOp('(');
      this.expectWord('ORDER');
      this.expectWord('BY');
      this.orderList();
      this.expectOp(')', o);
    }
    if (this.acceptWord('FILTER')) {
      filter = true;
      const o = this.expectOp('(');
      this.expectWord('WHERE');
      this.expression();
      this.expectOp(')', o);
    }
    if (this.acceptWord('OVER')) {
      over = true;
      this.windowSpecification();
    }
    return { kind: 'call', name: name.kind === 'quoted' ? name.value : name.value, qualified, args, distinct, star, filter, over, withinGroup, position: name.start };
  }

  /** one function argument: `name => expr`, or expressions mixed with the keywords of special functions */
  private argument(functionName: string): Argument {
    let name: Identifier | null = null;
    if (this.isIdentifier() && this.isOp('=>', 1)) {
      name = this.markIdentifier();
      this.next();
    }
    const keyValue = KEY_VALUE_FUNCTIONS.has(functionName);
    const isArgumentWord = (): boolean => {
      const t = this.peek();
      return t.kind === 'word' && (ARGUMENT_WORDS.has(t.value) || (keyValue && (t.value === 'KEY' || t.value === 'VALUE')));
    };
    const items: ArgumentItem[] = [];
    let lastWasExpression = false;
    while (!this.isOp(',') && !this.isOp(')') && this.peek().kind !== 'eof') {
      if (isArgumentWord() && !(this.isWord('NULL') && items.length === 0)) {
        const word = this.next();
        items.push({ kind: 'word', word: word.value });
        if (TYPE_AFTER.has(word.value)) items.push({ kind: 'type', type: this.dataType() });
        lastWasExpression = false;
      } else {
        if (lastWasExpression) throw this.unexpected(this.peek(), '`,` or `)` in the argument list');
        items.push({ kind: 'expr', expr: this.expression() });
        lastWasExpression = true;
      }
    }
    if (items.length === 0) throw this.unexpected(this.peek(), 'a function argument');
    return { name, items };
  }

  /** a Flink SQL data type: INT, DECIMAL(10, 2), TIMESTAMP(3) WITH LOCAL TIME ZONE, ARRAY<STRING>, ROW<a INT>, … */
  private dataType(): DataType {
    this.enter();
    const t = this.next();
    if (t.kind !== 'word' && t.kind !== 'quoted') this.fail(t, `expected a data type, found ${describe(t)}`);
    let name = t.value.toUpperCase();
    if (name === 'DOUBLE' && this.acceptWord('PRECISION')) name = 'DOUBLE';
    if ((name === 'CHARACTER' || name === 'CHAR') && this.acceptWord('VARYING')) name = 'VARCHAR';
    if (name === 'CHARACTER') name = 'CHAR';
    const type: DataType = { name, params: [], elements: [], fields: [], localTimeZone: false, notNull: false, position: t.start };
    if (this.isOp('<')) {
      const open = this.next();
      if (name === 'ROW') {
        do {
          const field = this.identifier('a field name');
          type.fields.push({ name: field, type: this.dataType() });
          if (this.peek().kind === 'string') this.next();
        } while (this.acceptOp(','));
      } else {
        type.elements.push(this.dataType());
        while (this.acceptOp(',')) type.elements.push(this.dataType());
      }
      if (!this.isOp('>')) this.fail(this.peek(), `expected \`>\` to close the \`<\` at line ${open.start.line}, col ${open.start.col}, found ${describe(this.peek())}`);
      this.next();
    } else if (this.isOp('(')) {
      const open = this.next();
      if (name === 'ROW') {
        do {
          const field = this.identifier('a field name');
          type.fields.push({ name: field, type: this.dataType() });
        } while (this.acceptOp(','));
      } else {
        do {
          const n = this.peek();
          if (n.kind !== 'number') throw this.unexpected(n, 'a number (length, precision or scale)');
          this.next();
          type.params.push(Number(n.text));
        } while (this.acceptOp(','));
      }
      this.expectOp(')', open);
    }
    if (this.isWord('WITH') || this.isWord('WITHOUT')) {
      const withZone = this.next().value === 'WITH';
      const local = this.acceptWord('LOCAL');
      this.expectWord('TIME');
      this.expectWord('ZONE');
      type.localTimeZone = withZone && local;
    }
    let result = type;
    while (this.isWord('ARRAY') || this.isWord('MULTISET')) {
      const collection = this.next();
      result = { name: collection.value, params: [], elements: [result], fields: [], localTimeZone: false, notNull: false, position: collection.start };
    }
    if (this.isWord('NOT') && this.isWord('NULL', 1)) {
      this.next();
      this.next();
      result.notNull = true;
    }
    this.leave();
    return result;
  }
}

function isLiteralWord(word: string): boolean {
  return word === 'TRUE' || word === 'FALSE' || word === 'NULL' || word === 'UNKNOWN';
}

function rowWidth(expr: Expr): number {
  return (expr as unknown as { width?: number }).width ?? 1;
}

/** Parses one Flink SQL query statement. Throws `SqlSyntaxError`. */
export function parseQuery(sql: string): SelectStatement {
  return new Parser(tokenize(sql)).parseStatement();
}

/** A parsed scalar expression, with the tokens printers re-emit. */
export interface ParsedExpression {
  expr: Expr;
  tokens: Token[];
  identifierTokens: ReadonlySet<number>;
}

/** Parses one Flink SQL scalar expression. Throws `SqlSyntaxError`. */
export function parseScalarExpression(sql: string): ParsedExpression {
  const parser = new Parser(tokenize(sql));
  const expr = parser.parseExpressionText();
  return { expr, tokens: parser.tokens.slice(0, -1), identifierTokens: parser.identifierTokens };
}
