"use client";
/**
 * A code editor (CodeMirror 6) for the console's two kinds of code: JavaScript transformations and
 * JSON Schema texts. A thin controlled wrapper: the view is created once per mount and given the
 * `value` whenever it differs from what it shows, so typing never re-creates it.
 *
 * Colours come from the console's theme variables (app/globals.css, `.cm-*` and `.tok-*` rules), so
 * both themes follow the page without a second editor theme. The Content-Security-Policy of the
 * console (README "Security") allows inline styles; CodeMirror's own style elements still carry the
 * page's nonce (EditorView.cspNonce, read from a script Next.js rendered) so a stricter style-src
 * with a nonce keeps the editor styled.
 */
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { javascript } from "@codemirror/lang-javascript";
import { json, jsonParseLinter } from "@codemirror/lang-json";
import {
  bracketMatching,
  foldGutter,
  foldKeymap,
  indentOnInput,
  syntaxHighlighting,
  type LanguageSupport,
} from "@codemirror/language";
import { linter, lintGutter, lintKeymap } from "@codemirror/lint";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { Annotation, Compartment, EditorState, type Extension } from "@codemirror/state";
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
  placeholder as placeholderText,
} from "@codemirror/view";
import { classHighlighter } from "@lezer/highlight";
import { useEffect, useRef } from "react";
import { cx } from "@/lib/view/cx";

/** Marks the changes that bring a new `value` in, so they are not reported back as the user's edits. */
const fromProps = Annotation.define<boolean>();

export type EditorLanguage = "javascript" | "json";

export interface CodeEditorProps {
  value: string;
  onChange(value: string): void;
  language: EditorLanguage;
  /** The accessible name of the editing area. */
  label: string;
  /** Put on the editing area (the element that takes keys and text). */
  testId?: string;
  readOnly?: boolean;
  invalid?: boolean;
  placeholder?: string;
  /** CSS min-height of the editing area, e.g. "18rem". */
  minHeight?: string;
  className?: string;
}

/** The nonce Next.js put on the page's scripts (browsers expose it as a property, not an attribute). */
function pageNonce(): string {
  for (const script of Array.from(document.scripts)) if (script.nonce) return script.nonce;
  return "";
}

function languageOf(language: EditorLanguage): Extension[] {
  const support: LanguageSupport = language === "json" ? json() : javascript();
  // JSON gets a parse linter: the error is underlined where it is, as the status line says in words.
  return language === "json" ? [support, linter(jsonParseLinter(), { delay: 300 }), lintGutter()] : [support];
}

export function CodeEditor(props: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  // The latest callback, so the listener set up at mount never calls a stale one.
  const onChange = useRef(props.onChange);
  useEffect(() => {
    onChange.current = props.onChange;
  });
  const editable = useRef(new Compartment());

  useEffect(() => {
    if (!host.current) return;
    const nonce = pageNonce();
    const v = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: props.value,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          foldGutter(),
          history(),
          drawSelection(),
          indentOnInput(),
          bracketMatching(),
          closeBrackets(),
          autocompletion(),
          highlightActiveLine(),
          highlightSelectionMatches(),
          syntaxHighlighting(classHighlighter),
          EditorView.lineWrapping,
          keymap.of([
            ...closeBracketsKeymap,
            ...defaultKeymap,
            ...searchKeymap,
            ...historyKeymap,
            ...foldKeymap,
            ...completionKeymap,
            ...lintKeymap,
            indentWithTab,
          ]),
          ...languageOf(props.language),
          nonce ? EditorView.cspNonce.of(nonce) : [],
          props.placeholder ? placeholderText(props.placeholder) : [],
          EditorView.contentAttributes.of({
            "aria-label": props.label,
            "aria-multiline": "true",
            ...(props.testId ? { "data-testid": props.testId } : {}),
          }),
          editable.current.of([EditorView.editable.of(!props.readOnly), EditorState.readOnly.of(!!props.readOnly)]),
          EditorView.updateListener.of((u) => {
            if (u.docChanged && !u.transactions.some((t) => t.annotation(fromProps))) {
              onChange.current(u.state.doc.toString());
            }
          }),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
    // Language, label and test id are fixed for an editor's life; value and readOnly follow below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const shown = v.state.doc.toString();
    if (shown !== props.value)
      v.dispatch({ changes: { from: 0, to: shown.length, insert: props.value }, annotations: fromProps.of(true) });
  }, [props.value]);

  useEffect(() => {
    view.current?.dispatch({
      effects: editable.current.reconfigure([
        EditorView.editable.of(!props.readOnly),
        EditorState.readOnly.of(!!props.readOnly),
      ]),
    });
  }, [props.readOnly]);

  return (
    <div
      ref={host}
      className={cx(
        "code-editor overflow-hidden rounded-md border border-line bg-surface-2 text-xs",
        props.invalid && "border-danger",
        props.className,
      )}
      style={props.minHeight ? ({ "--editor-min-height": props.minHeight } as React.CSSProperties) : undefined}
    />
  );
}
