import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TemplateExecError, TemplateParseError } from '../errors.ts';
import { aGroup } from '../testing/builders.ts';
import { labelsFromQuery } from '../labels/labels.ts';
import { GoTemplate } from './template.ts';
import { templateData } from './template-data.ts';
import { StringMap, type GoValue } from './values.ts';

const render = (source: string, data: GoValue = {}, limits?: Parameters<GoTemplate['render']>[1]) =>
  GoTemplate.parse('t', source).render(data, limits);
const execError = (source: string, data: GoValue = {}) => assert.throws(() => render(source, data), TemplateExecError);
const parseError = (source: string) => assert.throws(() => GoTemplate.parse('t', source), TemplateParseError);

describe('Go templates: fields, variables and printing', () => {
  it('prints fields, nested fields and dot', () => {
    assert.equal(render('{{.mac}} {{.a.b}} {{.}}', { mac: 'x', a: { b: 'y' } }), 'x y map[a:map[b:y] mac:x]');
  });

  it('prints JSON numbers as Go prints float64 (%v), and ints from constants and len as ints', () => {
    assert.equal(
      render('{{.a}} {{.b}} {{.c}} {{.d}} {{.e}} {{.f}}', { a: 3, b: 1.5, c: 1000000, d: 123456, e: 0.00001, f: -0 }),
      '3 1.5 1e+06 123456 1e-05 -0',
    );
    assert.equal(render('{{3}} {{len .s}} {{0x1F}} {{017}} {{1e3}} {{1_000}}', { s: 'héllo' }), '3 6 31 15 1000 1000');
  });

  it('prints nil as <no value>, and nil inside a list or map as <nil>', () => {
    assert.equal(
      render('{{.n}} {{.l}} {{.m}}', { n: null, l: [null, 1], m: { k: null } }),
      '<no value> [<nil> 1] map[k:<nil>]',
    );
  });

  it('fails on a missing key (missingkey=error), on a field of a non-map and on nil data', () => {
    execError('{{.missing}}');
    execError('{{.s.x}}', { s: 'text' });
    execError('{{.n.x}}', { n: null });
    execError('{{.request.query.nope}}', { request: { query: new StringMap(new Map()) } });
  });

  it('reports the template position and the expression, never the data', () => {
    assert.throws(
      () => render('line one\n  {{ .secret_thing }}', { other: 'hunter2' }),
      (error: Error) =>
        error.message === 'template: t:2:6: executing "t" at <.secret_thing>: map has no entry for key "secret_thing"',
    );
  });

  it('declares and assigns variables, with block scope', () => {
    assert.equal(render('{{$x := "a"}}{{if true}}{{$x = "b"}}{{$y := 1}}{{end}}{{$x}}{{$.k}}', { k: '!' }), 'b!');
    parseError('{{if true}}{{$y := 1}}{{end}}{{$y}}');
    parseError('{{$undeclared}}');
  });

  it('does not reach prototype properties of the data', () => {
    execError('{{.constructor}}');
    execError('{{.toString}}');
    assert.equal(render('{{index . "__proto__"}}|{{index . "constructor"}}', {}), '<no value>|<no value>');
  });
});

describe('Go templates: actions', () => {
  it('if / else if / else with Go truth', () => {
    const source = '{{if .a}}A{{else if .b}}B{{else}}C{{end}}';
    assert.equal(render(source, { a: 'x', b: '' }), 'A');
    assert.equal(render(source, { a: 0, b: [1] }), 'B');
    assert.equal(render(source, { a: {}, b: false }), 'C');
  });

  it('with sets dot, and has an else', () => {
    assert.equal(render('{{with .u}}{{.name}}{{else}}none{{end}}', { u: { name: 'core' } }), 'core');
    assert.equal(render('{{with .u}}{{.name}}{{else}}none{{end}}', { u: null }), 'none');
  });

  it('range over lists, maps (sorted keys), ints, with one or two variables, else, break and continue', () => {
    assert.equal(render('{{range .l}}[{{.}}]{{end}}', { l: ['a', 'b'] }), '[a][b]');
    assert.equal(render('{{range $i, $v := .l}}{{$i}}={{$v}} {{end}}', { l: ['a', 'b'] }), '0=a 1=b ');
    assert.equal(render('{{range $v := .l}}{{$v}}{{end}}', { l: ['a', 'b'] }), 'ab');
    assert.equal(render('{{range $k, $v := .m}}{{$k}}:{{$v}},{{end}}', { m: { z: 1, a: 2 } }), 'a:2,z:1,');
    assert.equal(render('{{range 3}}{{.}}{{end}}'), '012');
    assert.equal(
      render('{{range .l}}x{{else}}empty{{end}}|{{range .n}}x{{else}}nil{{end}}', { l: [], n: null }),
      'empty|nil',
    );
    assert.equal(
      render('{{range .l}}{{if eq . "b"}}{{continue}}{{end}}{{if eq . "d"}}{{break}}{{end}}{{.}}{{end}}', {
        l: ['a', 'b', 'c', 'd', 'e'],
      }),
      'ac',
    );
    execError('{{range .s}}{{end}}', { s: 'text' });
    execError('{{range .f}}{{end}}', { f: 3 });
    parseError('{{break}}');
  });

  it('trims spaces around {{- and -}} and drops comments', () => {
    assert.equal(render('a  \n {{- .x -}} \n  b {{/* note */}}c{{- /* trimmed */ -}}  d', { x: 'X' }), 'aXb cd');
    assert.equal(render('{{-3}}'), '-3');
  });

  it('pipes a value into the last argument of the next command', () => {
    assert.equal(render('{{.a | printf "%s-%s" "x"}}', { a: 'y' }), 'x-y');
    assert.equal(render('{{"  padded " | trim | upper}}'), 'PADDED');
    parseError('{{.a | "x"}}');
  });

  it('evaluates parenthesized pipelines and fields of their result', () => {
    assert.equal(render('{{(index .l 1).name}} {{len (index .l 0)}}', { l: [{ a: 1, b: 2 }, { name: 'n' }] }), 'n 2');
  });

  it('refuses unknown functions, define/template/block and malformed actions at parse time', () => {
    for (const source of [
      '{{nosuch 1}}',
      '{{define "x"}}{{end}}',
      '{{template "x"}}',
      '{{if}}{{end}}',
      '{{.a',
      '{{end}}',
      '{{if .a}}',
      '{{"unterminated}}',
      '{{.a.}}',
      '{{3x}}',
      '{{)}}',
      '{{/* open',
    ]) {
      parseError(source);
    }
  });

  it('refuses nesting deeper than the limit instead of exhausting the stack', () => {
    parseError(`${'{{if true}}'.repeat(150)}x${'{{end}}'.repeat(150)}`);
    parseError(`{{${'('.repeat(150)}1${')'.repeat(150)}}}`);
  });

  it('stops at the output and step limits', () => {
    assert.throws(
      () =>
        render(
          '{{range .l}}{{range $.l}}xxxxxxxxxx{{end}}{{end}}',
          { l: Array.from({ length: 100 }, () => 1) },
          { maxOutputLength: 50_000, maxSteps: 1e9 },
        ),
      /output exceeds 50000/,
    );
    assert.throws(
      () => render('{{range 1000000000}}{{end}}', {}, { maxOutputLength: 1e9, maxSteps: 100_000 }),
      /evaluation steps/,
    );
  });
});

describe('Go templates: functions', () => {
  it('and / or return the deciding argument and short-circuit', () => {
    assert.equal(render('{{and 1 "" .missing}}|{{or "" 0 "x" .missing}}|{{and 1 2}}'), '|x|2');
  });

  it('eq / ne / lt compare basic values of one kind and fail across kinds, as Go does', () => {
    assert.equal(
      render('{{eq .s "a" "b"}} {{ne .s "b"}} {{lt 1 2}} {{le "a" "a"}} {{gt 2.5 1.5}} {{eq .n 3.0}} {{eq .x nil}}', {
        s: 'b',
        n: 3,
        x: null,
      }),
      'true false true true true true true',
    );
    execError('{{eq .n 3}}', { n: 3 }); // float64 against int
    execError('{{lt true false}}');
    execError('{{eq .m .m}}', { m: {} });
  });

  it('len, index and slice', () => {
    assert.equal(
      render(
        '{{len .l}} {{len .m}} {{index .l 1}} {{index .m "k"}} {{index .q "k"}}|{{index .q "none"}}|{{slice .s 1 3}} {{slice .l 1}}',
        {
          l: ['a', 'b'],
          m: { k: 'v' },
          q: new StringMap(new Map([['k', 'qv']])),
          s: 'hello',
        },
      ),
      '2 1 b v qv||el [b]',
    );
    execError('{{index .l 5}}', { l: [] });
    execError('{{index .l "x"}}', { l: [] });
    execError('{{len .n}}', { n: 3 });
  });

  it('printf, print and println as fmt formats', () => {
    assert.equal(
      render(
        '{{printf "%s|%5s|%-5s|%q|%v|%d|%05d|%x|%X|%o|%b|%c|%t|%%" "a" "b" "c" "d\\n" .f 42 -42 255 255 8 5 65 true}}',
        { f: 2.5 },
      ),
      'a|    b|c    |"d\\n"|2.5|42|-0042|ff|FF|10|101|A|true|%',
    );
    assert.equal(
      render('{{printf "%.2f|%8.3f|%e|%E|%g|%.3g|%+.1f|%f" 3.14159 2.5 123456.789 0.000123 100000000.0 2.0 1.25 0.5}}'),
      '3.14|   2.500|1.234568e+05|1.230000E-04|1e+08|2|+1.2|0.500000',
    );
    assert.equal(
      render('{{printf "%d %s" 1.5}}|{{printf "%s" 1 2}}|{{printf "%z" "a"}}'),
      '%!d(float64=1.5) %!s(MISSING)|%!s(int=1)%!(EXTRA int=2)|%!z(string=a)',
    );
    assert.equal(render('{{print "a" "b" 1 2 "c"}}|{{println "a" 1}}'), 'ab1 2c|a 1\n');
    assert.equal(
      render('{{printf "%v %s %T %T" .l .l .l .m}}', { l: ['a', 1], m: {} }),
      '[a 1] [a %!s(float64=1)] []interface {} map[string]interface {}',
    );
  });

  it('rounds %f and %e ties to even on the exact binary value, as strconv does', () => {
    assert.equal(render('{{printf "%.0f %.0f %.1f %.2f %.1e" 0.5 2.5 0.25 1.005 1.25}}'), '0 2 0.2 1.00 1.2e+00');
  });

  it('html, js and urlquery escape', () => {
    assert.equal(
      render(`{{html "<a href='x'>&"}}|{{js "it's <b>"}}|{{urlquery "a b&c=d/é"}}`),
      "&lt;a href=&#39;x&#39;&gt;&amp;|it\\'s \\u003Cb\\u003E|a+b%26c%3Dd%2F%C3%A9",
    );
  });

  it('the Sprig subset: default, empty, coalesce, ternary, hasKey, strings, lists, JSON, base64, indent', () => {
    assert.equal(
      render(
        '{{default "d" .e}} {{default "d" .v}} {{empty .e}} {{coalesce .e "" "c"}} {{ternary "y" "n" true}} {{hasKey . "v"}} {{hasKey . "zz"}}',
        { e: '', v: 'v' },
      ),
      'd v true c y true false',
    );
    assert.equal(
      render(
        '{{upper "a"}}{{lower "B"}} {{replace "a" "b" "banana"}} {{trimPrefix "x-" "x-y"}} {{trimSuffix ".ign" "n.ign"}} {{contains "an" "banana"}} {{hasPrefix "b" "banana"}}',
      ),
      'Ab bbnbnb y n true true',
    );
    assert.equal(
      render('{{quote "a" 1}} {{squote "b"}} {{join "," .l}} {{join "," (splitList ":" "a:b")}} {{list 1 "x"}}', {
        l: ['a', 2, null],
      }),
      '"a" "1" \'b\' a,2 a,b [1 x]',
    );
    assert.equal(render('{{toJson .}}', { b: [1, 'x<'], a: null }), '{"a":null,"b":[1,"x\\u003c"]}');
    assert.equal(render('{{b64enc "core"}} {{b64dec "Y29yZQ=="}}{{nindent 2 "a\\nb"}}'), 'Y29yZQ== core\n  a\n  b');
    execError('{{upper .n}}', { n: 1 });
    execError('{{indent 2.0 "x"}}');
  });
});

describe('templateData (matchbox collectVariables)', () => {
  it('merges metadata, lower-cased selectors (which win) and the request', () => {
    const group = aGroup({
      selector: { MAC: '52-54-00-AA-BB-CC', os: 'installed' },
      metadata: { os: 'from-metadata', k: { nested: true } },
    });
    const { labels } = labelsFromQuery('mac=52-54-00-aa-bb-cc&Foo=bar');
    const data = templateData(group, labels, 'mac=52-54-00-aa-bb-cc&Foo=bar');
    const out = GoTemplate.parse(
      't',
      '{{.mac}} {{.os}} {{.k.nested}} {{.request.query.mac}} {{.request.query.Foo}} {{.request.raw_query}}',
    ).render(data);
    assert.equal(out, '52:54:00:aa:bb:cc installed true 52:54:00:aa:bb:cc bar mac=52-54-00-aa-bb-cc&Foo=bar');
  });

  it('replaces a metadata entry named "request" with the request', () => {
    const data = templateData(aGroup({ metadata: { request: 'spoofed' } }), new Map(), 'a=b');
    assert.equal(GoTemplate.parse('t', '{{.request.raw_query}}').render(data), 'a=b');
  });
});
