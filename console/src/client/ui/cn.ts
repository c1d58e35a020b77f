// The class-name helper every component uses: clsx for conditional classes, then tailwind-merge so that a class
// passed by the caller wins over the component's own for the same property (`px-4` over `px-2`), not CSS order.
import { clsx, type ClassValue } from 'clsx';
import { twMerge } from 'tailwind-merge';

export function cn(...inputs: ClassValue[]): string {
  return twMerge(clsx(inputs));
}
