/** Tailwind 4 runs as a PostCSS plugin under Next.js; it needs no other plugin (no autoprefixer). */
export default {
  plugins: { "@tailwindcss/postcss": {} },
};
