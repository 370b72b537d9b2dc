import type { ComponentChildren } from 'preact';
import { BASE, onLinkClick } from './router';

export function Link({
  to,
  children,
  class: className,
}: {
  to: string;
  children: ComponentChildren;
  class?: string;
}) {
  return (
    <a href={`${BASE}${to}`} class={className} onClick={onLinkClick}>
      {children}
    </a>
  );
}
