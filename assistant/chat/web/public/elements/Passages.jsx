// The passages one answer cites, listed under that answer: a row per marker ("[1] Source —
// Section"), collapsed until the reader opens it; expanded from the start when `expanded` is set.
// `presenting` (the chat's setting, for a projector) also sets the conversation in larger type.
// Props come from RenderedAnswer.passages (assistant/chat/adapter.py); `content` is Markdown in
// which the document's words are already escaped as text, and it is rendered without HTML.
import { Accordion, AccordionContent, AccordionItem, AccordionTrigger } from '@/components/ui/accordion';
import { Markdown } from '@/components/markdown';

const PRESENTING = `
  .ai-message, .ai-message .prose, [data-step-type="user_message"] { font-size: 1.4rem; line-height: 1.6; }
  .ai-message .passage-text, .ai-message .passages { font-size: 1.25rem; }
`;

export default function Passages() {
  const items = props.items || [];
  const opened = props.expanded ? items.map((item) => item.marker) : [];
  const style = props.presenting ? <style>{PRESENTING}</style> : null;
  if (!items.length) return style;
  return (
    <div className="passages w-full rounded-md border px-3 mt-1" data-passages={items.length}>
      {style}
      <div className="pt-2 text-sm font-semibold text-muted-foreground">{props.title}</div>
      <Accordion type="multiple" defaultValue={opened}>
        {items.map((item) => (
          <AccordionItem key={item.marker} value={item.marker} className="passage" data-marker={item.marker}>
            <AccordionTrigger className="py-2 text-left text-sm gap-2">
              <span>
                <span className="passage-marker font-semibold">{item.marker}</span> {item.heading}
              </span>
            </AccordionTrigger>
            <AccordionContent className="passage-text text-sm">
              <Markdown allowHtml={false} latex={false}>{item.content}</Markdown>
            </AccordionContent>
          </AccordionItem>
        ))}
      </Accordion>
    </div>
  );
}
