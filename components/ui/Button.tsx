/** Buttons and button-looking links: one look for every action in the console. */
import Link from "@/components/ui/Link";
import type { ComponentProps } from "react";
import { cx } from "@/lib/view/cx";

type Variant = "primary" | "secondary" | "ghost";
type Size = "sm" | "md";

const base =
  "inline-flex items-center justify-center gap-1.5 whitespace-nowrap rounded-md border font-medium transition-colors disabled:cursor-not-allowed disabled:opacity-50 aria-disabled:pointer-events-none aria-disabled:opacity-50";
const variants: Record<Variant, string> = {
  primary: "border-accent bg-accent text-accent-fg hover:bg-accent-hover hover:border-accent-hover",
  secondary: "border-line bg-surface text-fg hover:bg-surface-2 hover:border-line-strong",
  ghost: "border-transparent bg-transparent text-muted hover:bg-surface-2 hover:text-fg",
};
const sizes: Record<Size, string> = {
  sm: "h-7 px-2 text-xs",
  md: "h-8 px-3 text-sm",
};

export function buttonClass(variant: Variant = "secondary", size: Size = "md", extra?: string): string {
  return cx(base, variants[variant], sizes[size], extra);
}

export function Button({
  variant,
  size,
  className,
  type = "button",
  ...props
}: ComponentProps<"button"> & { variant?: Variant; size?: Size }) {
  return <button type={type} className={buttonClass(variant, size, className)} {...props} />;
}

export function ButtonLink({
  variant,
  size,
  className,
  ...props
}: ComponentProps<typeof Link> & { variant?: Variant; size?: Size }) {
  return <Link className={buttonClass(variant, size, className)} {...props} />;
}
