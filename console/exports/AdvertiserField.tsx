import type { AdvertiserList } from '../api/types';
import { TextField, type FieldMessages } from '../ui/fields';

interface Props {
  value: string;
  advertisers: AdvertiserList['advertisers'] | undefined;
  messages: FieldMessages;
  onInput: (value: string) => void;
}

/** RollWorks Advertiser ID: pick one the connection reaches (by name and id), or type an id. */
export function AdvertiserField({ value, advertisers, messages, onInput }: Props) {
  const picked = advertisers?.find((advertiser) => advertiser.id === value.trim());
  return (
    <div class="advertiser">
      <TextField
        id="export-advertiser"
        label="RollWorks Advertiser ID"
        field="advertiserId"
        value={value}
        messages={messages}
        onInput={onInput}
        hint={
          picked
            ? `Advertiser: ${picked.name}`
            : advertisers
              ? undefined
              : 'Choose a connection to list its advertisers, or type an id.'
        }
      />
      {advertisers && advertisers.length > 0 && (
        <div role="group" aria-label="Advertisers this connection reaches" class="picks">
          {advertisers.map((advertiser) => (
            <button
              type="button"
              key={advertiser.id}
              aria-pressed={advertiser.id === picked?.id}
              onClick={() => onInput(advertiser.id)}
            >
              {advertiser.name} <span class="id">{advertiser.id}</span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
